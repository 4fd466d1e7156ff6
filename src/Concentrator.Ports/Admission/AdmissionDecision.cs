using Concentrator.Ports.Configuration;

namespace Concentrator.Ports.Admission;

/// <summary>How a session starts on a port.</summary>
public enum SessionRole
{
    /// <summary>Its input reaches the device.</summary>
    ReadWrite,

    /// <summary>A monitor: sees everything, its input never reaches the device.</summary>
    ReadOnly,

    /// <summary>Read-write listener under an exclusive write policy whose lock is held: read-only until promoted.</summary>
    WaitingWriter,
}

/// <summary>A client asking to join a port: through which listener, and who it is.</summary>
public sealed record AdmissionRequest(ListenerSettings Listener, Principal Principal);

/// <summary>What the port has at the moment a client asks: its admitted sessions, whether a writer holds the lock, its lease.</summary>
/// <param name="Sessions">Admitted sessions now.</param>
/// <param name="OldestSession">Id of the longest-connected session, if any (the one kick-old closes).</param>
/// <param name="WriteLockHeld">Whether an exclusive write lock has a holder.</param>
/// <param name="Lease">The port's lease now, if a scheduler leased it: then only its holder writes.</param>
/// <param name="OldestMonitor">Id of the longest-connected session that may not write (never the writer or the lease
/// holder's): the only one a newcomer that may not write itself can make kick-old close.</param>
public sealed record PortOccupancy(int Sessions, int? OldestSession, bool WriteLockHeld, PortLease? Lease = null, int? OldestMonitor = null)
{
    public static PortOccupancy Empty { get; } = new(0, null, false);
}

/// <summary>The outcome of admission: <see cref="Admit"/> or <see cref="Refuse"/>.</summary>
public abstract record AdmissionDecision;

/// <summary>The client joins with <paramref name="Role"/>; <paramref name="Evict"/> names a session to close first to make room.</summary>
public sealed record Admit(SessionRole Role, int? Evict = null) : AdmissionDecision
{
    public bool MayWrite => Role != SessionRole.ReadOnly;
}

/// <summary>
/// The client is turned away: <paramref name="Line"/> is said to it, <paramref name="Reason"/> goes to the log,
/// <paramref name="Code"/> (a short fixed word such as max-sessions) labels the refusal metric.
/// </summary>
public sealed record Refuse(string Line, string Reason, string Code = "other") : AdmissionDecision;
