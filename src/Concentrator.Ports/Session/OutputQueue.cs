using Concentrator.Ports.Configuration;

namespace Concentrator.Ports.Session;

/// <summary>
/// A session's bounded queue of bytes waiting for a slow client. Holds shared, immutable chunks (no copies);
/// when full, the overflow policy decides: drop the oldest data chunks (and count them) or report overflow so
/// the session disconnects. Control chunks (protocol replies, notices) are never dropped; the session stops
/// reading its client while they pile up, so a client cannot grow them without bound. Under backpressure nothing is
/// dropped: the session pauses the device instead, so the queue goes past its capacity by at most what was in flight.
/// Not thread safe: owned by one <see cref="SessionOutput"/>, used under its lock.
/// </summary>
internal sealed class OutputQueue(long capacity, OverflowPolicy policy)
{
    /// <summary>The policy in effect: the port may switch a session to backpressure and back (its only reader, its writer).</summary>
    public OverflowPolicy Policy { get; set; } = policy;

    private readonly LinkedList<Entry> _entries = new();

    public long Capacity => capacity;

    public long QueuedBytes { get; private set; }

    /// <summary>Bytes dropped since the last <see cref="TakeDroppedCount"/>.</summary>
    public long DroppedBytes { get; private set; }

    public bool IsEmpty => _entries.Count == 0;

    /// <summary>Whether the queue is over its capacity (only control chunks can make it so).</summary>
    public bool IsOverCapacity => QueuedBytes > capacity;

    /// <summary>
    /// Adds a data chunk. Returns false when the queue is full and the policy is to disconnect. A chunk larger
    /// than the whole queue is trimmed to its newest part; callers keep chunks within capacity where framing
    /// matters (the session trims device data before encoding it).
    /// </summary>
    public bool Enqueue(ReadOnlyMemory<byte> chunk)
    {
        if (chunk.IsEmpty)
        {
            return true;
        }

        if (QueuedBytes + chunk.Length > capacity && Policy != OverflowPolicy.Backpressure)
        {
            if (Policy == OverflowPolicy.Disconnect)
            {
                return false;
            }

            var node = _entries.First;
            while (node is not null && QueuedBytes + chunk.Length > capacity)
            {
                var next = node.Next;
                if (!node.Value.Control)
                {
                    QueuedBytes -= node.Value.Data.Length;
                    DroppedBytes += node.Value.Data.Length;
                    _entries.Remove(node);
                }

                node = next;
            }

            var room = Math.Max(0, capacity - QueuedBytes);
            if (chunk.Length > room)
            {
                DroppedBytes += chunk.Length - room;
                chunk = chunk[^(int)room..];
                if (chunk.IsEmpty)
                {
                    return true;
                }
            }
        }

        _entries.AddLast(new Entry(chunk, Control: false));
        QueuedBytes += chunk.Length;
        return true;
    }

    /// <summary>Adds a chunk that must not be dropped (protocol replies, notices): it may exceed the capacity.</summary>
    public void EnqueueControl(ReadOnlyMemory<byte> chunk)
    {
        if (!chunk.IsEmpty)
        {
            _entries.AddLast(new Entry(chunk, Control: true));
            QueuedBytes += chunk.Length;
        }
    }

    /// <summary>Moves chunks into <paramref name="batch"/> up to about <paramref name="maxBytes"/> (at least one chunk).</summary>
    public int DequeueBatch(List<ReadOnlyMemory<byte>> batch, int maxBytes)
    {
        var total = 0;
        while (_entries.First is { } first && (total == 0 || total + first.Value.Data.Length <= maxBytes))
        {
            _entries.RemoveFirst();
            QueuedBytes -= first.Value.Data.Length;
            total += first.Value.Data.Length;
            batch.Add(first.Value.Data);
        }

        return total;
    }

    /// <summary>Counts bytes the session dropped before they reached the queue.</summary>
    public void CountDropped(long bytes) => DroppedBytes += bytes;

    public long TakeDroppedCount()
    {
        var n = DroppedBytes;
        DroppedBytes = 0;
        return n;
    }

    public void Clear()
    {
        _entries.Clear();
        QueuedBytes = 0;
    }

    private readonly record struct Entry(ReadOnlyMemory<byte> Data, bool Control);
}
