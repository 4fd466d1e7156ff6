namespace Concentrator.Devices.Simulated;

/// <summary>A growable ring buffer of bytes (not thread safe; the owner locks).</summary>
internal sealed class ByteQueue
{
    private byte[] _buffer = new byte[4096];
    private int _head;

    public int Count { get; private set; }

    public void Enqueue(ReadOnlySpan<byte> data)
    {
        if (Count + data.Length > _buffer.Length)
        {
            var bigger = new byte[Math.Max(_buffer.Length * 2, Count + data.Length)];
            var n = Dequeue(bigger);
            _buffer = bigger;
            _head = 0;
            Count = n;
        }

        var tail = (_head + Count) % _buffer.Length;
        var first = Math.Min(data.Length, _buffer.Length - tail);
        data[..first].CopyTo(_buffer.AsSpan(tail));
        data[first..].CopyTo(_buffer);
        Count += data.Length;
    }

    public int Dequeue(Span<byte> destination)
    {
        var n = Math.Min(destination.Length, Count);
        var first = Math.Min(n, _buffer.Length - _head);
        _buffer.AsSpan(_head, first).CopyTo(destination);
        _buffer.AsSpan(0, n - first).CopyTo(destination[first..]);
        _head = (_head + n) % _buffer.Length;
        Count -= n;
        if (Count == 0)
        {
            _head = 0;
        }

        return n;
    }

    public void Clear()
    {
        _head = 0;
        Count = 0;
    }
}
