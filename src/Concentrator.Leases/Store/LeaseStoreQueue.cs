using System.Threading.Channels;
using Concentrator.Leases.Domain;

namespace Concentrator.Leases.Store;

/// <summary>
/// Runs a store's calls one at a time, in order, on a background loop, so an actor only enqueues and pipes the result
/// back. Writes waiting together are committed in one transaction (group commit: under load one disk sync serves many
/// grants). After a failed write every later write fails too, until the store is opened again: nothing written after
/// a lost write can get ahead of it.
/// </summary>
public sealed class LeaseStoreQueue : IAsyncDisposable
{
    /// <summary>Calls waiting at most; past it a write fails at once (the store is far behind) instead of piling up.</summary>
    public const int Capacity = 10_000;

    private const int MaxWritesPerCommit = 256;

    private readonly ILeaseStore _store;
    private readonly Channel<Work> _work = Channel.CreateBounded<Work>(new BoundedChannelOptions(Capacity) { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private string? _broken;

    public LeaseStoreQueue(ILeaseStore store)
    {
        _store = store;
        _loop = Task.Run(RunAsync);
    }

    public string Name => _store.Name;

    public Task<StoredLeases> OpenAsync(DateTimeOffset forgetEndedBefore) => Enqueue(new Open(forgetEndedBefore));

    public Task WriteAsync(IReadOnlyList<LeaseChange> changes) => Enqueue(new Write(changes));

    public Task<IReadOnlyList<LeaseAuditEntry>> ReadAuditAsync(long afterSeq, int limit) => Enqueue(new ReadAudit(afterSeq, limit));

    private Task<T> Enqueue<T>(Work<T> work)
    {
        if (!_work.Writer.TryWrite(work))
        {
            work.Done.TrySetException(new LeaseStoreException($"{_store.Name}: {Capacity} store calls are waiting; the store is far behind"));
        }

        return work.Done.Task;
    }

    private async Task RunAsync()
    {
        var reader = _work.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var work))
                {
                    if (work is Write first)
                    {
                        var writes = new List<Write> { first };
                        while (writes.Count < MaxWritesPerCommit && reader.TryPeek(out var next) && next is Write && reader.TryRead(out next))
                        {
                            writes.Add((Write)next);
                        }

                        await CommitAsync(writes).ConfigureAwait(false);
                    }
                    else
                    {
                        await work.RunAsync(this).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }

        while (reader.TryRead(out var left))
        {
            left.Fail(new LeaseStoreException($"{_store.Name}: the lease service stopped"));
        }
    }

    private async Task CommitAsync(List<Write> writes)
    {
        try
        {
            if (_broken is not null)
            {
                throw new LeaseStoreException(_broken);
            }

            await _store.WriteAsync(writes.Count == 1 ? writes[0].Changes : [.. writes.SelectMany(w => w.Changes)], _stopping.Token)
                .ConfigureAwait(false);
            foreach (var write in writes)
            {
                write.Done.TrySetResult(true);
            }
        }
        catch (Exception e)
        {
            _broken ??= e.Message;
            foreach (var write in writes)
            {
                write.Done.TrySetException(e);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _work.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        await _store.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private abstract class Work
    {
        public abstract Task RunAsync(LeaseStoreQueue queue);

        public abstract void Fail(Exception error);
    }

    private abstract class Work<T> : Work
    {
        public TaskCompletionSource<T> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async Task RunAsync(LeaseStoreQueue queue)
        {
            try
            {
                Done.TrySetResult(await Call(queue).ConfigureAwait(false));
            }
            catch (Exception e)
            {
                Done.TrySetException(e);
            }
        }

        protected abstract Task<T> Call(LeaseStoreQueue queue);

        public override void Fail(Exception error) => Done.TrySetException(error);
    }

    private sealed class Open(DateTimeOffset forgetEndedBefore) : Work<StoredLeases>
    {
        protected override async Task<StoredLeases> Call(LeaseStoreQueue queue)
        {
            var stored = await queue._store.OpenAsync(forgetEndedBefore, queue._stopping.Token).ConfigureAwait(false);
            queue._broken = null; // opened and loaded again: the service restarts from what the store holds
            return stored;
        }
    }

    private sealed class Write(IReadOnlyList<LeaseChange> changes) : Work<bool>
    {
        public IReadOnlyList<LeaseChange> Changes => changes;

        protected override Task<bool> Call(LeaseStoreQueue queue) => throw new InvalidOperationException("writes are committed in groups");
    }

    private sealed class ReadAudit(long afterSeq, int limit) : Work<IReadOnlyList<LeaseAuditEntry>>
    {
        protected override Task<IReadOnlyList<LeaseAuditEntry>> Call(LeaseStoreQueue queue) =>
            queue._store.ReadAuditAsync(afterSeq, limit, queue._stopping.Token);
    }
}
