using System.Diagnostics;
using Concentrator.Ports.Port;

namespace Concentrator.Ports.Recording;

/// <summary>
/// Records one port in asciicast v2 (see README, "Recordings and audit"). A recording begins when a session joins a
/// port nobody is on and ends when the last one leaves; everyone in between is in the same file, their joins, leaves,
/// role changes, the line's changes and breaks as markers, and with <c>recording = all</c> their keystrokes as input
/// events, each run of them marked with who typed it.
/// </summary>
/// <remarks>
/// Nothing here blocks the port. Device output comes from the reader thread through the port's hub, subscribed in the
/// same step as the session that starts the recording (so the file holds exactly what that session got), keystrokes
/// from the sessions' threads, markers from the port actor; each is stamped and put on a bounded queue, and one thread
/// per port writes the file. When the disk cannot keep up the queue fills and further events are dropped and counted;
/// the next event written is preceded by a marker saying how many, so a gap is never silent. Markers and the
/// recording's begin and end are never dropped (the port sends few).
/// </remarks>
internal sealed class PortRecorder : IDeviceOutputSink, IDisposable
{
    /// <summary>What may wait for the disk: past this much, output and input are dropped (and counted).</summary>
    public const long QueueLimitBytes = 4 * 1024 * 1024;

    private const int QueueLimitEvents = 64 * 1024;

    private readonly string _port;
    private readonly RecordingStore _store;
    private readonly Action<string>? _onError;
    private readonly Lock _gate = new();
    private readonly Queue<Entry> _queue = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly Thread _thread;
    private readonly RecordingFile _file;
    private long _queuedBytes;
    private long _droppedEvents;
    private long _droppedBytes;
    private bool _stopping;
    private volatile bool _recordInput;

    public PortRecorder(string port, RecordingStore store, Action<string>? onError = null)
    {
        _port = port;
        _store = store;
        _onError = onError;
        _file = new RecordingFile(port, store, ReportError);
        _thread = new Thread(Run, 256 * 1024) { IsBackground = true, Name = "recording " + port };
        _thread.Start();
    }

    /// <summary>Whether a recording runs (the port's view: set by <see cref="Begin"/> and <see cref="End"/> on its thread).</summary>
    public bool Recording { get; private set; }

    /// <summary>Events dropped because the disk could not keep up (since the port started).</summary>
    public long DroppedEvents => Interlocked.Read(ref _droppedEvents);

    /// <summary>The port actor: a recording begins (the caller subscribes this to the hub with the first session, in one step).</summary>
    public void Begin(RecordingMode mode, string title)
    {
        Recording = true;
        _recordInput = mode == RecordingMode.All;
        Control(new Entry(EntryKind.Begin, Now(), 0, null, mode == RecordingMode.All ? "all" : "output", title, null));
    }

    /// <summary>The port actor: the last session left (the caller unsubscribed this from the hub first).</summary>
    public void End()
    {
        Recording = false;
        _recordInput = false;
        Control(new Entry(EntryKind.End, Now(), 0, null, null, null, null));
    }

    public void Joined(RecordingParticipant who, string detail) =>
        Control(new Entry(EntryKind.Join, Now(), who.Session, null, detail, null, who));

    public void Left(int session, string who) => Control(new Entry(EntryKind.Leave, Now(), session, null, $"leave {who} (session {session})", null, null));

    /// <summary>A marker in the running recording (a role or line change, a break, the device going away).</summary>
    public void Marker(string text)
    {
        if (Recording)
        {
            Control(new Entry(EntryKind.Marker, Now(), 0, null, text, null, null));
        }
    }

    /// <summary>A session's thread: bytes it typed (owned by the data plane, which never changes them).</summary>
    public void Typed(int session, byte[] data)
    {
        if (_recordInput && data.Length > 0)
        {
            Data(new Entry(EntryKind.Input, Now(), session, data, null, null, null));
        }
    }

    /// <summary>The reader thread: device output, as every subscribed session gets it.</summary>
    public void Deliver(byte[] chunk) => Data(new Entry(EntryKind.Output, Now(), 0, chunk, null, null, null));

    public void UseBackpressure(bool on)
    {
        // A recording never slows the port: it drops and counts instead.
    }

    private static long Now() => Stopwatch.GetTimestamp();

    private void Data(Entry entry)
    {
        lock (_gate)
        {
            if (_stopping || _queuedBytes + entry.Data!.Length > QueueLimitBytes || _queue.Count >= QueueLimitEvents)
            {
                _droppedEvents++;
                _droppedBytes += entry.Data!.Length;
                return;
            }

            _queue.Enqueue(entry);
            _queuedBytes += entry.Data.Length;
        }

        _wake.Set();
    }

    private void Control(Entry entry)
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            _queue.Enqueue(entry);
        }

        _wake.Set();
    }

    private void Run()
    {
        var batch = new List<Entry>();
        while (true)
        {
            _wake.WaitOne();
            bool stopping;
            long dropped, droppedBytes;
            lock (_gate)
            {
                batch.AddRange(_queue);
                _queue.Clear();
                _queuedBytes = 0;
                stopping = _stopping;
                dropped = _droppedEvents;
                droppedBytes = _droppedBytes;
            }

            foreach (var entry in batch)
            {
                _file.Write(entry, dropped, droppedBytes);
            }

            batch.Clear();
            _file.Flush();
            if (stopping)
            {
                _file.Close(Now());
                return;
            }
        }
    }

    private string? _lastError;

    private void ReportError(string error)
    {
        if (error != _lastError)
        {
            _lastError = error;
            _onError?.Invoke(error);
        }
    }

    /// <summary>Writes what is queued (waiting a bounded time) and closes the file.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
        }

        _wake.Set();
        if (_thread.Join(TimeSpan.FromSeconds(5)))
        {
            _wake.Dispose(); // only once the writer is gone: a writer stuck on a slow disk still waits on it when it returns
        }
    }

    internal enum EntryKind { Begin, End, Join, Leave, Marker, Input, Output }

    internal readonly record struct Entry(EntryKind Kind, long At, int Session, byte[]? Data, string? Text, string? Title, RecordingParticipant? Who);

    public override string ToString() => $"recorder of {_port} in {_store.Settings.Directory}";
}
