namespace Concentrator.Ports.Port;

/// <summary>
/// Client bytes typed while the device is not online (opening at start, reopening after an unplug or a reload):
/// held in the order they came, up to <see cref="Limit"/> bytes per port, and handed back for the device once it is
/// online, or for discarding (with a notice to each session) once <see cref="Grace"/> has passed since the oldest
/// was held. A session holds at most the few chunks it may have on their way, so a typing client is paced by TCP
/// meanwhile rather than losing what it typed. Pure: the port decides when, this only keeps the order and the bound.
/// </summary>
/// <typeparam name="TSession">Who sent the bytes (the session's actor in the port).</typeparam>
internal sealed class HeldInput<TSession>(long limit) where TSession : notnull
{
    /// <summary>How long typed bytes wait for the device: an open at start takes ~40 ms, a replug ~100 ms, a retry with backoff longer.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    /// <summary>The default bound per port: enough for every session's outstanding chunks at once.</summary>
    public const long DefaultLimit = 1024 * 1024;

    private readonly List<(TSession Session, byte[] Data)> _held = [];

    public long Limit => limit;

    public long Bytes { get; private set; }

    public bool IsEmpty => _held.Count == 0;

    /// <summary>Holds <paramref name="data"/>; false (nothing held) when that would pass the bound.</summary>
    public bool TryHold(TSession session, byte[] data)
    {
        if (Bytes + data.Length > limit)
        {
            return false;
        }

        _held.Add((session, data));
        Bytes += data.Length;
        return true;
    }

    /// <summary>Everything held, oldest first; empties the hold (for the device once online, or to discard after the grace).</summary>
    public List<(TSession Session, byte[] Data)> TakeAll()
    {
        var all = _held.ToList();
        _held.Clear();
        Bytes = 0;
        return all;
    }

    /// <summary>What <paramref name="session"/> had held (it left, or lost its right to write), oldest first.</summary>
    public List<byte[]> TakeFrom(TSession session)
    {
        var taken = new List<byte[]>();
        _held.RemoveAll(h =>
        {
            if (!EqualityComparer<TSession>.Default.Equals(h.Session, session))
            {
                return false;
            }

            taken.Add(h.Data);
            Bytes -= h.Data.Length;
            return true;
        });
        return taken;
    }
}
