using Concentrator.Ports.Configuration;

namespace Concentrator.Ports.Session;

/// <summary>
/// A session's bounded queue of bytes waiting for a slow client. Holds shared, immutable chunks (no copies);
/// when full, the overflow policy decides: drop the oldest chunks (and count them) or report overflow so the
/// session disconnects. Not thread safe: owned by one session actor.
/// </summary>
internal sealed class OutputQueue(long capacity, OverflowPolicy policy)
{
    private readonly Queue<ReadOnlyMemory<byte>> _chunks = new();

    public long QueuedBytes { get; private set; }

    /// <summary>Bytes dropped since the last <see cref="TakeDroppedCount"/>.</summary>
    public long DroppedBytes { get; private set; }

    public bool IsEmpty => _chunks.Count == 0;

    /// <summary>Adds a chunk. Returns false when the queue is full and the policy is to disconnect.</summary>
    public bool Enqueue(ReadOnlyMemory<byte> chunk)
    {
        if (chunk.IsEmpty)
        {
            return true;
        }

        if (QueuedBytes + chunk.Length > capacity)
        {
            if (policy == OverflowPolicy.Disconnect)
            {
                return false;
            }

            while (_chunks.Count > 0 && QueuedBytes + chunk.Length > capacity)
            {
                var dropped = _chunks.Dequeue();
                QueuedBytes -= dropped.Length;
                DroppedBytes += dropped.Length;
            }

            if (chunk.Length > capacity)
            {
                // A single chunk larger than the whole queue: keep its newest part.
                DroppedBytes += chunk.Length - capacity;
                chunk = chunk[^(int)capacity..];
            }
        }

        _chunks.Enqueue(chunk);
        QueuedBytes += chunk.Length;
        return true;
    }

    /// <summary>Adds a chunk that must not be dropped (protocol replies, notices): it may exceed the capacity briefly.</summary>
    public void EnqueueControl(ReadOnlyMemory<byte> chunk)
    {
        if (!chunk.IsEmpty)
        {
            _chunks.Enqueue(chunk);
            QueuedBytes += chunk.Length;
        }
    }

    /// <summary>Moves chunks into <paramref name="batch"/> up to about <paramref name="maxBytes"/> (at least one chunk).</summary>
    public int DequeueBatch(List<ReadOnlyMemory<byte>> batch, int maxBytes)
    {
        var total = 0;
        while (_chunks.Count > 0 && (total == 0 || total + _chunks.Peek().Length <= maxBytes))
        {
            var chunk = _chunks.Dequeue();
            QueuedBytes -= chunk.Length;
            total += chunk.Length;
            batch.Add(chunk);
        }

        return total;
    }

    public long TakeDroppedCount()
    {
        var n = DroppedBytes;
        DroppedBytes = 0;
        return n;
    }

    public void Clear()
    {
        _chunks.Clear();
        QueuedBytes = 0;
    }
}
