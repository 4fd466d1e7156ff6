using System.Buffers;
using System.Collections.Concurrent;
using Concentrator.Ports.Configuration;

namespace Concentrator.Ports.ConsoleLog;

/// <summary>
/// Writes a port's console log on its own thread, so the port actor never waits for a disk. Every byte the
/// device produced is logged, also when nobody is connected. Size-based rotation (file -> file.1 -> ... ->
/// file.keep) happens between writes, so nothing is lost across a rotation. A stalled disk fills a bounded queue;
/// what does not fit is counted and the count logged as a mark, never silently.
/// </summary>
internal sealed class ConsoleLogWriter : IDisposable
{
    private const int QueueCapacity = 16 * 1024; // chunks (each up to 64 KiB)

    private readonly ConsoleLogSettings _settings;
    private readonly TimeProvider _time;
    private readonly BlockingCollection<Entry> _queue = new(new ConcurrentQueue<Entry>(), QueueCapacity);
    private readonly Thread _thread;
    private readonly LineStamper _stamper;
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly Action<string>? _onError;
    private FileStream? _file;
    private long _dropped;
    private string? _lastError;

    /// <param name="settings">The log file, rotation and timestamps.</param>
    /// <param name="time">The clock for timestamps (tests pass a fake one).</param>
    /// <param name="onError">Told (from the writer thread) when writing starts failing, once per distinct error.</param>
    public ConsoleLogWriter(ConsoleLogSettings settings, TimeProvider? time = null, Action<string>? onError = null)
    {
        _settings = settings;
        _onError = onError;
        _time = time ?? TimeProvider.System;
        _stamper = new LineStamper(settings.Timestamps);
        _thread = new Thread(Run, 256 * 1024) { IsBackground = true, Name = "log " + Path.GetFileName(settings.File) };
        _thread.Start();
    }

    /// <summary>Device output, stamped with when it was read (the port takes it in batches), or now.</summary>
    public void Device(byte[] chunk, DateTimeOffset? readAt = null) => Add(new Entry(chunk, null, readAt ?? _time.GetUtcNow()));

    public void Mark(string text) => Add(new Entry(null, text, _time.GetUtcNow()));

    private void Add(Entry entry)
    {
        if (!_queue.IsAddingCompleted && !_queue.TryAdd(entry))
        {
            Interlocked.Add(ref _dropped, entry.Data?.Length ?? 0);
        }
    }

    private void Run()
    {
        foreach (var entry in _queue.GetConsumingEnumerable())
        {
            var dropped = Interlocked.Exchange(ref _dropped, 0);
            if (dropped > 0)
            {
                _stamper.Mark($"{dropped} bytes not logged: the log could not keep up", entry.Time, _buffer);
            }

            if (entry.Data is not null)
            {
                _stamper.Device(entry.Data, entry.Time, _buffer);
            }
            else
            {
                _stamper.Mark(entry.Mark!, entry.Time, _buffer);
            }

            if (_queue.Count == 0 || _buffer.WrittenCount > 256 * 1024)
            {
                Flush();
            }
        }

        Flush();
        _file?.Dispose();
    }

    private void Flush()
    {
        if (_buffer.WrittenCount == 0)
        {
            return;
        }

        try
        {
            var data = _buffer.WrittenSpan;
            while (!data.IsEmpty)
            {
                var file = Open();
                var room = _settings.MaxSize - file.Length;
                if (room <= 0)
                {
                    Rotate();
                    continue;
                }

                var take = (int)Math.Min(room, data.Length);
                file.Write(data[..take]);
                data = data[take..];
            }

            _file?.Flush();
            _lastError = null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Reported once per distinct error; the next write tries again (a full disk may be freed).
            if (e.Message != _lastError)
            {
                _lastError = e.Message;
                _onError?.Invoke(e.Message);
            }

            _file?.Dispose();
            _file = null;
        }

        _buffer.ResetWrittenCount();
    }

    /// <summary>0640: the daemon's user writes, its group (e.g. adm) reads, nobody else.</summary>
    private const UnixFileMode LogFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    private FileStream Open()
    {
        if (_file is null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_settings.File) ?? ".");
            var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = 64 * 1024 };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = LogFileMode; // not the umask: a console shows passwords typed at it
            }

            _file = new FileStream(_settings.File, options);
            if (!OperatingSystem.IsWindows() && File.GetUnixFileMode(_settings.File) != LogFileMode)
            {
                File.SetUnixFileMode(_settings.File, LogFileMode); // a log an older version (or the umask) made wider
            }
        }

        return _file;
    }

    private void Rotate()
    {
        _file?.Dispose();
        _file = null;
        var path = _settings.File;
        if (_settings.Keep == 0)
        {
            File.Delete(path);
            return;
        }

        File.Delete($"{path}.{_settings.Keep}");
        for (var i = _settings.Keep - 1; i >= 1; i--)
        {
            if (File.Exists($"{path}.{i}"))
            {
                File.Move($"{path}.{i}", $"{path}.{i + 1}");
            }
        }

        File.Move(path, path + ".1");
    }

    /// <summary>Writes what is queued (bounded wait) and closes the file.</summary>
    public void Dispose()
    {
        _queue.CompleteAdding();
        _thread.Join(TimeSpan.FromSeconds(5));
        _queue.Dispose();
    }

    private sealed record Entry(byte[]? Data, string? Mark, DateTimeOffset Time);
}
