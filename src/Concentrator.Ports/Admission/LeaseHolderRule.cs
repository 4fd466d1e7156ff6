namespace Concentrator.Ports.Admission;

/// <summary>
/// While a scheduler holds the port's lease, only the holder writes: everyone else is narrowed to read-only (they
/// still watch). Without a lease the rule changes nothing.
/// </summary>
public sealed class LeaseHolderRule : IAdmissionRule
{
    public static LeaseHolderRule Instance { get; } = new();

    public AdmissionDecision Apply(AdmissionRequest request, PortOccupancy occupancy, Admit soFar) =>
        occupancy.Lease is { } lease && soFar.MayWrite && !lease.IsHeldBy(request.Principal)
            ? soFar with { Role = SessionRole.ReadOnly }
            : soFar;
}
