namespace Concentrator.Leases.Domain;

/// <summary>
/// A lease as the store keeps it: in force (<paramref name="EndedHow"/> null) or ended recently. The store knows no
/// monotonic time: <see cref="Lease.Deadline"/> is meaningless here and recomputed from the wall-clock expiry at load.
/// </summary>
public sealed record StoredLease(Lease Lease, LeaseEventKind? EndedHow = null, DateTimeOffset? EndedAt = null, string? EndedBy = null);

/// <summary>What the store holds at start: the leases in force and recently ended, and every port's latest epoch.</summary>
public sealed record StoredLeases(IReadOnlyList<StoredLease> Leases, IReadOnlyDictionary<string, long> Epochs);
