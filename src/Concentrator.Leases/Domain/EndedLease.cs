namespace Concentrator.Leases.Domain;

/// <summary>A lease that ended, remembered for a while so a retried request id gets it back and a late renew hears "gone".</summary>
public sealed record EndedLease(Lease Lease, LeaseEventKind How, DateTimeOffset At, string? By)
{
    public string Describe() => $"lease {Lease.Id} was {How.ToString().ToLowerInvariant()} at {At:O}{(By is null ? "" : " by " + By)}";
}
