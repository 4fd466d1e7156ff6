namespace Concentrator.Leases.Domain;

/// <summary>
/// One thing that happened to a lease: stored (the lease row, the port's epoch, an audit row), then published as a
/// <see cref="LeaseEvent"/>. <see cref="Lease"/> is the lease as it is after the change.
/// </summary>
public sealed record LeaseChange(LeaseEventKind Kind, Lease Lease, DateTimeOffset At, string? By, string? Detail)
{
    public bool Ends => Kind is LeaseEventKind.Released or LeaseEventKind.Expired or LeaseEventKind.Revoked;

    public LeaseEvent ToEvent() => new(Kind, Lease.Info, At, By, Detail);
}
