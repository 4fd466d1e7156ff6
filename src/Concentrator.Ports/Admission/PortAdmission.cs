using Concentrator.Ports.Configuration;

namespace Concentrator.Ports.Admission;

/// <summary>
/// The one place that decides whether and how a client joins a port. The listener's access gives the starting
/// role; then, in order: the port's ACL (<see cref="AclRule"/>, from the port's settings), the other rules about who
/// the client is, the port's lease (non-holders are read-only), the session limit (refuse, or make room), and the
/// write policy (a writer may have to wait). Source filters and per-source limits act earlier, at accept, before a
/// session exists. No actors, no I/O: the port actor asks, with what it knows now, and carries the decision out.
/// </summary>
public sealed class PortAdmission
{
    private readonly IReadOnlyList<IAdmissionRule> _writeRight;
    private readonly IReadOnlyList<IAdmissionRule> _rules;

    /// <param name="settings">The port's limits and write policy.</param>
    /// <param name="identityRules">Rules about who the client is, applied before the session limit so a client that
    /// would be refused never costs another its place.</param>
    public PortAdmission(PortSettings settings, IEnumerable<IAdmissionRule>? identityRules = null)
    {
        _writeRight =
        [
            .. settings.Acl is { } acl ? [new AclRule(settings.Name, acl)] : Array.Empty<IAdmissionRule>(),
            .. identityRules ?? [],
            LeaseHolderRule.Instance,
        ];
        _rules =
        [
            .. _writeRight,
            new SessionLimitRule(settings.Name, settings.MaxSessions, settings.KickOld),
            new ExclusiveWriteRule(settings.WritePolicy),
        ];
    }

    public AdmissionDecision Decide(AdmissionRequest request, PortOccupancy occupancy) => Evaluate(_rules, request, occupancy);

    /// <summary>
    /// Whether a session already admitted may write by who it is and by the port's lease now (the session limit and
    /// the write lock aside): asked again for every session when the port's lease changes.
    /// </summary>
    public bool MayWrite(AdmissionRequest request, PortOccupancy occupancy) =>
        Evaluate(_writeRight, request, occupancy) is Admit { MayWrite: true };

    private static AdmissionDecision Evaluate(IReadOnlyList<IAdmissionRule> rules, AdmissionRequest request, PortOccupancy occupancy)
    {
        var decision = new Admit(request.Listener.Access == SessionAccess.ReadOnly ? SessionRole.ReadOnly : SessionRole.ReadWrite);
        foreach (var rule in rules)
        {
            switch (rule.Apply(request, occupancy, decision))
            {
                case Admit admit:
                    decision = admit;
                    break;
                case var refusal:
                    return refusal;
            }
        }

        return decision;
    }
}
