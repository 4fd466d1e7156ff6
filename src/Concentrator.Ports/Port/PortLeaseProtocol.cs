using Concentrator.Ports.Admission;

namespace Concentrator.Ports.Port;

/// <summary>
/// Lease service -> port (through the ports supervisor): the port's lease is now <paramref name="Lease"/> (null: not
/// leased). The whole state, not a delta, so it may be sent again safely (after a reload, a store recovery). The port
/// re-decides at once which of its sessions may write: a holder loses write access the moment its lease ends.
/// </summary>
/// <param name="Port">The port's name.</param>
/// <param name="Lease">The lease in force, or null.</param>
/// <param name="Reason">Why it changed ("granted", "expired", "released", "revoked by ops"), for notices and logs.</param>
public sealed record PortLeaseChanged(string Port, PortLease? Lease, string Reason);
