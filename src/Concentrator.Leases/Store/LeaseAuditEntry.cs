namespace Concentrator.Leases.Store;

/// <summary>One row of the audit trail: who, what, when, which epoch, which request id.</summary>
/// <param name="Seq">Order of writing (strictly increasing).</param>
/// <param name="At">When it happened (wall clock).</param>
/// <param name="Event">What happened.</param>
/// <param name="LeaseId">The lease.</param>
/// <param name="Port">Its port.</param>
/// <param name="Holder">Its holder.</param>
/// <param name="By">Who did it, where someone did.</param>
/// <param name="Epoch">The lease's epoch.</param>
/// <param name="RequestId">The request id the lease was asked with.</param>
/// <param name="Expires">The lease's expiry after the event.</param>
/// <param name="Detail">More words (why it was revoked, that it expired while the daemon was down).</param>
public sealed record LeaseAuditEntry(long Seq, DateTimeOffset At, LeaseEventKind Event, string LeaseId, string Port, string Holder,
    string? By, long Epoch, string? RequestId, DateTimeOffset Expires, string? Detail);
