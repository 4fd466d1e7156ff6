using Concentrator.Leases.Domain;

namespace Concentrator.Leases.Store;

/// <summary>
/// Where leases and their audit trail persist. Calls come one at a time (see <see cref="LeaseStoreQueue"/>), never
/// from an actor's receive. Every failure is a <see cref="LeaseStoreException"/> whose message says what is wrong in
/// words an operator can act on (locked, corrupt, read-only, unreachable).
/// </summary>
public interface ILeaseStore : IAsyncDisposable
{
    /// <summary>Where it is, for logs (never with a password).</summary>
    string Name { get; }

    /// <summary>
    /// Connects, creates or migrates the schema, checks that it can write, forgets leases that ended before
    /// <paramref name="forgetEndedBefore"/>, and returns what it holds.
    /// </summary>
    Task<StoredLeases> OpenAsync(DateTimeOffset forgetEndedBefore, CancellationToken cancellationToken);

    /// <summary>Applies the changes in one transaction: the lease rows, each port's epoch, one audit row per change.</summary>
    Task WriteAsync(IReadOnlyList<LeaseChange> changes, CancellationToken cancellationToken);

    /// <summary>The audit trail after <paramref name="afterSeq"/>, oldest first, at most <paramref name="limit"/> rows.</summary>
    Task<IReadOnlyList<LeaseAuditEntry>> ReadAuditAsync(long afterSeq, int limit, CancellationToken cancellationToken);
}
