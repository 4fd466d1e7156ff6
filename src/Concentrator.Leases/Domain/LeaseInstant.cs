namespace Concentrator.Leases.Domain;

/// <summary>
/// A moment as leases need it: <paramref name="Monotonic"/> (time since the service started, from a monotonic clock)
/// decides expiry, so a wall-clock step (NTP, an operator) never ends or prolongs a lease; <paramref name="Wall"/> is
/// what is shown and stored, so a restart can compute what is left of a lease.
/// </summary>
public readonly record struct LeaseInstant(TimeSpan Monotonic, DateTimeOffset Wall)
{
    public LeaseInstant Plus(TimeSpan span) => new(Monotonic + span, Wall + span);
}
