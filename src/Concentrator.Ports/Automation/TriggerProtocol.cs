namespace Concentrator.Ports.Automation;

/// <summary>Trigger watcher -> its port: what the port's triggers decided on the latest output.</summary>
public sealed record TriggersDecided(int Generation, IReadOnlyList<TriggerDecision> Decisions);

/// <summary>
/// Port -> whoever keeps leases (published on the event stream; the lease service listens): a trigger with
/// <c>revoke-lease = on</c> fired while <paramref name="LeaseId"/> held the port.
/// </summary>
public sealed record RevokeLeaseForTrigger(string Port, string LeaseId, string Trigger);
