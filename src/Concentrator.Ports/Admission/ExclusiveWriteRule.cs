using Concentrator.Ports.Configuration;

namespace Concentrator.Ports.Admission;

/// <summary>
/// write-policy = exclusive: a read-write newcomer writes only when nobody holds the write lock; otherwise it waits
/// for it (read-only until promoted). Under the shared policy every read-write session writes.
/// </summary>
public sealed class ExclusiveWriteRule(WritePolicy policy) : IAdmissionRule
{
    public AdmissionDecision Apply(AdmissionRequest request, PortOccupancy occupancy, Admit soFar) =>
        policy == WritePolicy.Exclusive && soFar.Role == SessionRole.ReadWrite && occupancy.WriteLockHeld
            ? soFar with { Role = SessionRole.WaitingWriter }
            : soFar;
}
