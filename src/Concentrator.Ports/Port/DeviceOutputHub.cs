using Akka.Actor;
using Concentrator.Ports.Automation;
using Concentrator.Ports.Metrics;

namespace Concentrator.Ports.Port;

/// <summary>Where a session takes device output straight from the reader thread (thread safe, never waits).</summary>
public interface IDeviceOutputSink
{
    void Deliver(byte[] chunk);

    /// <summary>
    /// The port: this session is its only reader or its only writer (true), so it gets backpressure rather than being
    /// dropped for reading; or it is one more monitor (false) and its listener's overflow policy applies.
    /// </summary>
    void UseBackpressure(bool on);
}

/// <summary>A device chunk the port has not yet taken for its scrollback and console log, with when it was read.</summary>
internal readonly record struct PublishedChunk(byte[] Data, DateTimeOffset ReadAt);

/// <summary>The hub has device output for the port: it takes it with <see cref="DeviceOutputHub.TakeForPort"/>.</summary>
internal sealed class DrainDeviceOutput
{
    public static readonly DrainDeviceOutput Instance = new();

    private DrainDeviceOutput()
    {
    }
}

/// <summary>
/// Device output from the reader thread straight to the port's sessions. The port takes the same chunks later, in
/// batches, for the scrollback and the console log: telling it of every chunk woke a pool thread per keystroke echo,
/// which on a 2-core machine competed with the client for a core (measured: 20-50 µs of a 77 µs round trip). So
/// the first chunk after the port took the last batch schedules the next drain a little later (one per
/// <see cref="DrainDelay"/> at most while output flows), and a lot waiting makes the port drain at once. Whoever
/// needs the port current (a replay, a scrollback request, a log mark) drains first; a session joins by taking the
/// undrained chunks in the same step, so its replay ends exactly where its live output begins. The port's
/// <see cref="OutputCapture"/> gets each chunk at once, under the same lock, so its offsets follow device order.
/// </summary>
internal sealed class DeviceOutputHub(IActorRef port, IScheduler scheduler, PortMetrics metrics, OutputCapture? capture = null)
{
    /// <summary>How long the port may lag behind the sessions when output trickles (the scheduler's tick rounds it up).</summary>
    public static readonly TimeSpan DrainDelay = TimeSpan.FromMilliseconds(50);

    /// <summary>Waiting bytes that make the port drain at once, so a stream never piles up here.</summary>
    private const long DrainNowBytes = 256 * 1024;

    private readonly Lock _gate = new();
    private IDeviceOutputSink[] _sinks = [];
    private List<PublishedChunk> _forPort = [];
    private long _forPortBytes;
    private bool _drainDue; // a drain is scheduled: the chunks wait for it
    private bool _drainAsked; // a drain message is on its way now
    private long _bytes;

    /// <summary>Bytes read from the device, counted before any session sees them (a status right after is never behind).</summary>
    public long BytesPublished => Interlocked.Read(ref _bytes);

    /// <summary>On the device reader thread: chunks come one at a time, in device order.</summary>
    public void Publish(byte[] chunk)
    {
        IDeviceOutputSink[] sinks;
        bool schedule = false, askNow = false;
        Interlocked.Add(ref _bytes, chunk.Length);
        metrics.Read(chunk.Length);
        lock (_gate)
        {
            capture?.Append(chunk); // a copy into its ring, nothing that waits (see OutputCapture)
            _forPort.Add(new PublishedChunk(chunk, DateTimeOffset.UtcNow));
            _forPortBytes += chunk.Length;
            sinks = _sinks;
            if (!_drainDue)
            {
                _drainDue = schedule = true;
            }
            else if (_forPortBytes >= DrainNowBytes && !_drainAsked)
            {
                _drainAsked = askNow = true;
            }
        }

        foreach (var sink in sinks)
        {
            sink.Deliver(chunk);
        }

        // After the sessions had the chunk: neither reaches another thread now (the scheduler only queues it).
        if (schedule)
        {
            scheduler.ScheduleTellOnce(DrainDelay, port, DrainDeviceOutput.Instance, ActorRefs.NoSender);
        }
        else if (askNow)
        {
            port.Tell(DrainDeviceOutput.Instance);
        }
    }

    /// <summary>For the port: the chunks it has not taken, oldest first; the next chunk schedules a drain again.</summary>
    public List<PublishedChunk> TakeForPort()
    {
        lock (_gate)
        {
            return TakeLocked();
        }
    }

    /// <summary>
    /// Adds a sink, which gets every chunk published from now on; returns, for the port, the chunks it has not taken
    /// (as <see cref="TakeForPort"/>): with them the port's scrollback ends exactly where the sink's output begins.
    /// </summary>
    public List<PublishedChunk> Subscribe(IDeviceOutputSink sink, IDeviceOutputSink? recorder = null)
    {
        lock (_gate)
        {
            // A recorder that starts with this sink gets the same chunks from the same one on: what it records is what the session got.
            _sinks = recorder is null ? [.. _sinks, sink] : [.. _sinks, sink, recorder];
            return TakeLocked();
        }
    }

    private List<PublishedChunk> TakeLocked()
    {
        _drainAsked = false;
        _drainDue = false; // a drain already on its way finds nothing, which costs less than one per chunk
        if (_forPort.Count == 0)
        {
            return [];
        }

        var chunks = _forPort;
        _forPort = [];
        _forPortBytes = 0;
        return chunks;
    }

    public void Unsubscribe(IDeviceOutputSink sink, IDeviceOutputSink? recorder = null)
    {
        lock (_gate)
        {
            _sinks = Array.FindAll(_sinks, s => !ReferenceEquals(s, sink) && !ReferenceEquals(s, recorder));
        }
    }
}
