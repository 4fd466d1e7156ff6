namespace Concentrator.Ports.Admission;

/// <summary>
/// One rule of admission (session limits, the write lock; later source filters, ACLs, leases). Given the decision
/// so far, it returns it unchanged, narrowed (read-only), or a <see cref="Refuse"/> that ends the evaluation.
/// </summary>
public interface IAdmissionRule
{
    AdmissionDecision Apply(AdmissionRequest request, PortOccupancy occupancy, Admit soFar);
}
