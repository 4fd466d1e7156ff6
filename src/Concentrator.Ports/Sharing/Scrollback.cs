namespace Concentrator.Ports.Sharing;

/// <summary>
/// The last N bytes a device printed, kept in a ring so a session connecting later (or asking with the
/// escape command) sees the boot banner it missed. One copy per device chunk, none per session.
/// </summary>
internal sealed class Scrollback(long capacity)
{
    // Allocated on the first output: a rack of idle ports costs no scrollback memory.
    private byte[] _ring = [];
    private long _written; // bytes held so far (at least); the next byte goes to _written % capacity

    public long Capacity => capacity;

    /// <summary>Bytes currently held.</summary>
    public int Length => (int)Math.Min(_written, _ring.Length);

    public void Append(ReadOnlySpan<byte> data)
    {
        if (capacity <= 0 || data.IsEmpty)
        {
            return;
        }

        if (_ring.Length == 0)
        {
            _ring = new byte[capacity];
        }

        if (data.Length >= _ring.Length)
        {
            // Only the tail survives: lay it out from index 0 and restart the count at one full ring.
            data[^_ring.Length..].CopyTo(_ring);
            _written = _ring.Length;
            return;
        }

        var position = (int)(_written % _ring.Length);
        var first = Math.Min(data.Length, _ring.Length - position);
        data[..first].CopyTo(_ring.AsSpan(position));
        data[first..].CopyTo(_ring);
        _written += data.Length;
    }

    /// <summary>The held bytes, oldest first, as a new array (an immutable snapshot safe to share).</summary>
    public byte[] Snapshot()
    {
        var length = Length;
        var result = new byte[length];
        if (length == 0)
        {
            return result;
        }

        var end = (int)(_written % _ring.Length);
        var start = (end - length + _ring.Length) % _ring.Length;
        var first = Math.Min(length, _ring.Length - start);
        _ring.AsSpan(start, first).CopyTo(result);
        _ring.AsSpan(0, length - first).CopyTo(result.AsSpan(first));
        return result;
    }
}
