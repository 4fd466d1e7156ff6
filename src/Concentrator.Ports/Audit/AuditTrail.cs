using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using Concentrator.Ports.Admission;

namespace Concentrator.Ports.Audit;

/// <summary>
/// The audit trail: one JSON object per line for every action anyone took — <c>{"time", "action", "principal",
/// "source", "port", "outcome", ...}</c> — in the file <c>concentrator.audit.file</c> (0640), and to the journal with
/// structured fields when the daemon runs under systemd (<see cref="JournalSink"/>). Callers on any thread; a line is
/// built on the caller's thread and written on the trail's own, through a bounded queue: a disk that stalls loses
/// lines (counted, and said in the next line written) rather than stalling a port or a request.
/// </summary>
public sealed class AuditTrail : IDisposable
{
    private const int QueueCapacity = 16 * 1024;
    private const UnixFileMode AuditFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly BlockingCollection<byte[]> _queue = new(new ConcurrentQueue<byte[]>(), QueueCapacity);
    private readonly Thread? _thread;
    private readonly Action<string>? _onError;
    private readonly JournalSink? _journal;
    private readonly string? _file;
    private long _dropped;
    private string? _lastError;

    /// <summary>Writes nowhere (a port started on its own, as in tests).</summary>
    public static AuditTrail None { get; } = new(new AuditSettings(null), journal: null);

    /// <param name="settings">Where the lines go.</param>
    /// <param name="journal">The journal, when the daemon runs under systemd (<see cref="JournalSink.FromEnvironment"/>).</param>
    /// <param name="onError">Told (on the trail's thread) when writing starts failing, once per distinct error.</param>
    public AuditTrail(AuditSettings settings, JournalSink? journal, Action<string>? onError = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _file = settings.File;
        _journal = journal;
        _onError = onError;
        if (_file is not null || _journal is not null)
        {
            _thread = new Thread(Run, 256 * 1024) { IsBackground = true, Name = "audit" };
            _thread.Start();
        }
    }

    public string? File => _file;

    /// <summary>One action: what, who (and from where), on which port, how it ended, and what else says what it was.</summary>
    public void Record(string action, Principal? principal, string? port, string outcome, params (string Key, string? Value)[] details) =>
        Record(action, principal?.Name, principal?.Source, port, outcome, details);

    public void Record(string action, string? principal, IPAddress? source, string? port, string outcome, params (string Key, string? Value)[] details)
    {
        if (_thread is null)
        {
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteString("time", DateTimeOffset.UtcNow);
            json.WriteString("action", action);
            WriteOrNull(json, "principal", principal);
            WriteOrNull(json, "source", source is null ? null : Security.SourceAddress.Normalize(source).ToString());
            WriteOrNull(json, "port", port);
            json.WriteString("outcome", outcome);
            foreach (var (key, value) in details)
            {
                if (value is not null)
                {
                    json.WriteString(key, value);
                }
            }

            json.WriteEndObject();
        }

        buffer.Write("\n"u8);
        if (!_queue.IsAddingCompleted && !_queue.TryAdd(buffer.WrittenSpan.ToArray()))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private static void WriteOrNull(Utf8JsonWriter json, string key, string? value)
    {
        if (value is null)
        {
            json.WriteNull(key);
        }
        else
        {
            json.WriteString(key, value);
        }
    }

    private void Run()
    {
        FileStream? file = null;
        foreach (var line in _queue.GetConsumingEnumerable())
        {
            var dropped = Interlocked.Exchange(ref _dropped, 0);
            if (dropped > 0)
            {
                Record("audit-dropped", null, null, null, "error", ("count", dropped.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            _journal?.Send(line);
            if (_file is null)
            {
                continue;
            }

            try
            {
                file ??= Open(_file);
                file.Write(line);
                if (_queue.Count == 0)
                {
                    file.Flush();
                }

                _lastError = null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (e.Message != _lastError)
                {
                    _lastError = e.Message;
                    _onError?.Invoke($"{_file}: {e.Message}");
                }

                file?.Dispose();
                file = null;
            }
        }

        file?.Dispose();
    }

    private static FileStream Open(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path) ?? ".");
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite, BufferSize = 16 * 1024 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = AuditFileMode;
        }

        return new FileStream(path, options);
    }

    /// <summary>Writes what is queued (bounded wait) and closes the file.</summary>
    public void Dispose()
    {
        if (_thread is null)
        {
            return;
        }

        _queue.CompleteAdding();
        _thread.Join(TimeSpan.FromSeconds(5));
    }
}
