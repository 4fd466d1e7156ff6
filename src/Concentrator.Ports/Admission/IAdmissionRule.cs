namespace Concentrator.Ports.Admission;

/// <summary>
/// One rule of a port's admission (<see cref="PortAdmission"/> runs them in order: the port's ACL, max-sessions, the
/// exclusive write lock, the lease holder). Given the decision so far, it returns it unchanged, narrowed (read-only),
/// or a <see cref="Refuse"/> that ends the evaluation. Source filters come before any of them, at the listener.
/// </summary>
public interface IAdmissionRule
{
    AdmissionDecision Apply(AdmissionRequest request, PortOccupancy occupancy, Admit soFar);
}
