namespace Concentrator.Ports.Admission;

/// <summary>
/// max-sessions: at the limit a newcomer is refused with one line, or, with kick-old, the oldest session is closed
/// to make room for it. A newcomer that may not write makes room only by closing the oldest session that may not write
/// either: a read-only monitor never evicts the writer or the lease holder.
/// </summary>
public sealed class SessionLimitRule(string portName, int maxSessions, bool kickOld) : IAdmissionRule
{
    public AdmissionDecision Apply(AdmissionRequest request, PortOccupancy occupancy, Admit soFar)
    {
        if (occupancy.Sessions < maxSessions)
        {
            return soFar;
        }

        if (kickOld && (soFar.MayWrite ? occupancy.OldestSession : occupancy.OldestMonitor) is { } oldest)
        {
            return soFar with { Evict = oldest };
        }

        return new Refuse($"concentrator: port {portName} is busy ({occupancy.Sessions} sessions, max {maxSessions})\r\n",
            $"max-sessions {maxSessions} reached", "max-sessions");
    }
}
