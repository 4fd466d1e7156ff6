using Concentrator.Ports.Management;

namespace Concentrator.Ports.Power;

/// <summary>
/// Switches a port's power (or asks its state). Answered with <see cref="PowerSwitched"/>, <see cref="PowerNotConfigured"/>,
/// <see cref="PortNotFound"/> or <see cref="ActionRefused"/> (a requester that may not write the port, or not the lease holder).
/// </summary>
public sealed record SwitchPower(string Port, PowerAction Action, Requester By);

/// <summary>The power command ran: whether it succeeded and what it printed.</summary>
public sealed record PowerSwitched(string Port, PowerAction Action, bool Ok, string Output);

/// <summary>The port has no power control configured for that action.</summary>
public sealed record PowerNotConfigured(string Port, PowerAction Action);

/// <summary>From a session's escape command: the port checks the session's own principal, runs it and answers the session.</summary>
internal sealed record SessionPowerRequest(PowerAction Action);
