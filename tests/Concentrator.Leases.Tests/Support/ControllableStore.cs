using Concentrator.Leases.Domain;
using Concentrator.Leases.Store;

namespace Concentrator.Leases.Tests.Support;

/// <summary>
/// A real store with a hand on it: writes can be held back (to see that nothing is answered or enforced before it is
/// durable) or made to fail, and opens made to fail, as a disk or a database server would.
/// </summary>
internal sealed class ControllableStore(ILeaseStore inner) : ILeaseStore
{
    private volatile TaskCompletionSource _gate = Open();
    private volatile string? _failWrites;
    private volatile string? _failOpens;

    public string Name => inner.Name;

    public void HoldWrites() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void LetWritesThrough() => _gate.TrySetResult();

    public void FailWrites(string? why) => _failWrites = why;

    public void FailOpens(string? why) => _failOpens = why;

    public Task<StoredLeases> OpenAsync(DateTimeOffset forgetEndedBefore, CancellationToken cancellationToken) =>
        _failOpens is { } why ? throw new LeaseStoreException(why) : inner.OpenAsync(forgetEndedBefore, cancellationToken);

    public async Task WriteAsync(IReadOnlyList<LeaseChange> changes, CancellationToken cancellationToken)
    {
        await _gate.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_failWrites is { } why)
        {
            throw new LeaseStoreException(why);
        }

        await inner.WriteAsync(changes, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<LeaseAuditEntry>> ReadAuditAsync(long afterSeq, int limit, CancellationToken cancellationToken) =>
        inner.ReadAuditAsync(afterSeq, limit, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }
}
