using Concentrator.Ports.Configuration;
using Concentrator.Ports.Session;

namespace Concentrator.Ports.Tests.Session;

public sealed class OutputQueueTests
{
    private static byte[] Chunk(int size, byte value) => Enumerable.Repeat(value, size).ToArray();

    [Fact]
    public void Drop_oldest_keeps_the_newest_bytes_and_counts_the_loss()
    {
        var queue = new OutputQueue(10, OverflowPolicy.DropOldest);
        Assert.True(queue.Enqueue(Chunk(4, 1)));
        Assert.True(queue.Enqueue(Chunk(4, 2)));
        Assert.True(queue.Enqueue(Chunk(4, 3)));

        Assert.Equal(8, queue.QueuedBytes);
        Assert.Equal(4, queue.TakeDroppedCount());
        Assert.Equal(0, queue.TakeDroppedCount());

        var batch = new List<ReadOnlyMemory<byte>>();
        Assert.Equal(8, queue.DequeueBatch(batch, 100));
        Assert.Equal([2, 2, 2, 2, 3, 3, 3, 3], batch.SelectMany(c => c.ToArray()));
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public void A_chunk_larger_than_the_queue_keeps_its_tail()
    {
        var queue = new OutputQueue(4, OverflowPolicy.DropOldest);
        Assert.True(queue.Enqueue(new byte[] { 1, 2, 3, 4, 5, 6 }));
        var batch = new List<ReadOnlyMemory<byte>>();
        queue.DequeueBatch(batch, 100);
        Assert.Equal([3, 4, 5, 6], batch.Single().ToArray());
        Assert.Equal(2, queue.TakeDroppedCount());
    }

    [Fact]
    public void Disconnect_policy_reports_overflow_and_keeps_what_it_had()
    {
        var queue = new OutputQueue(6, OverflowPolicy.Disconnect);
        Assert.True(queue.Enqueue(Chunk(4, 1)));
        Assert.False(queue.Enqueue(Chunk(4, 2)));
        Assert.Equal(4, queue.QueuedBytes);
    }

    [Fact]
    public void Batches_respect_the_byte_limit_but_always_take_one_chunk()
    {
        var queue = new OutputQueue(1000, OverflowPolicy.DropOldest);
        queue.Enqueue(Chunk(300, 1));
        queue.Enqueue(Chunk(300, 2));
        queue.Enqueue(Chunk(300, 3));

        var batch = new List<ReadOnlyMemory<byte>>();
        Assert.Equal(300, queue.DequeueBatch(batch, 100));
        batch.Clear();
        Assert.Equal(600, queue.DequeueBatch(batch, 650));
        Assert.Equal(2, batch.Count);
    }

    [Fact]
    public void Control_chunks_are_never_dropped()
    {
        var queue = new OutputQueue(4, OverflowPolicy.Disconnect);
        queue.Enqueue(Chunk(4, 1));
        queue.EnqueueControl(Chunk(3, 9));
        Assert.Equal(7, queue.QueuedBytes);
    }

    [Fact]
    public void Dropping_old_data_never_drops_control_chunks()
    {
        var queue = new OutputQueue(10, OverflowPolicy.DropOldest);
        queue.EnqueueControl(Chunk(3, 9));
        queue.Enqueue(Chunk(4, 1));
        queue.Enqueue(Chunk(6, 2));

        var batch = new List<ReadOnlyMemory<byte>>();
        queue.DequeueBatch(batch, 100);
        Assert.Equal([9, 9, 9, 2, 2, 2, 2, 2, 2], batch.SelectMany(c => c.ToArray()));
        Assert.Equal(4, queue.TakeDroppedCount());
    }

    [Fact]
    public void Control_chunks_can_push_the_queue_over_capacity_which_the_session_sees()
    {
        var queue = new OutputQueue(4, OverflowPolicy.DropOldest);
        queue.EnqueueControl(Chunk(3, 9));
        Assert.False(queue.IsOverCapacity);
        queue.EnqueueControl(Chunk(3, 9));
        Assert.True(queue.IsOverCapacity);
    }
}
