namespace Concentrator.Ports.Session;

/// <summary>
/// A session's traffic counters: written by its session (bytes out under its output's lock), read by its port when someone asks for a snapshot
/// (the management API, metrics). Plain fields read and written atomically, so a snapshot never waits for the session.
/// </summary>
public sealed class SessionCounters
{
    private long _bytesIn;
    private long _bytesOut;
    private long _dropped;

    /// <summary>Bytes received from the client.</summary>
    public long BytesIn => Volatile.Read(ref _bytesIn);

    /// <summary>Bytes sent to the client.</summary>
    public long BytesOut => Volatile.Read(ref _bytesOut);

    /// <summary>Device bytes dropped because the client read too slowly.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    internal void AddIn(long bytes) => Volatile.Write(ref _bytesIn, _bytesIn + bytes); // one writer at a time for each counter

    internal void AddOut(long bytes) => Volatile.Write(ref _bytesOut, _bytesOut + bytes);

    internal void AddDropped(long bytes) => Volatile.Write(ref _dropped, _dropped + bytes);
}
