namespace Concentrator.Leases.Domain;

/// <summary>
/// The result of one operation on a <see cref="LeaseTable"/>: the new table, the answer for whoever asked (null when
/// the request now waits, as <see cref="QueuedAs"/>), what changed (to store and publish) and which earlier waiters'
/// waits ended.
/// </summary>
public sealed record LeaseStep(LeaseTable Table, LeaseAnswer? Answer, IReadOnlyList<LeaseChange> Changes, IReadOnlyList<WaiterDone> Waiters,
    long? QueuedAs = null);
