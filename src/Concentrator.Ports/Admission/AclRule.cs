using Concentrator.Ports.Security;

namespace Concentrator.Ports.Admission;

/// <summary>
/// The port's ACL: a principal in neither list is refused with one line; one only in read-only joins as a monitor.
/// It only narrows: a read-only listener stays read-only whatever the ACL says (effective access = the listener's
/// access narrowed by the ACL).
/// </summary>
public sealed class AclRule(string portName, AccessControlList acl) : IAdmissionRule
{
    public AdmissionDecision Apply(AdmissionRequest request, PortOccupancy occupancy, Admit soFar)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(soFar);
        return acl.Grant(request.Principal) switch
        {
            AclGrant.ReadWrite => soFar,
            AclGrant.ReadOnly => soFar with { Role = SessionRole.ReadOnly },
            _ => new Refuse($"concentrator: {Who(request.Principal)} may not use port {portName}\r\n",
                $"{request.Principal.Name} is not in the acl of port {portName}"),
        };
    }

    private static string Who(Principal principal) =>
        principal.Name == Principal.AnonymousName ? "an anonymous client" : principal.Name;
}
