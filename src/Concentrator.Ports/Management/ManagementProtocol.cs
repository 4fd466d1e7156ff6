using Concentrator.Ports.Channels;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Port;

namespace Concentrator.Ports.Management;

// What the management API, the CLI and SIGHUP ask of the ports supervisor. Every request names who asks (By),
// for the daemon log and the console log; an action's Requester is also what the port checks before it acts (see
// Requester). Every request is answered, with one of the results at the bottom.

/// <summary>Every port, in name order; answered with <see cref="PortList"/>.</summary>
public sealed record ListPorts
{
    public static ListPorts Instance { get; } = new();
}

/// <summary>One port; answered with a <see cref="PortSnapshot"/> or <see cref="PortNotFound"/>.</summary>
public sealed record GetPort(string Port);

/// <summary>Closes a session with a notice; answered with <see cref="Done"/>, <see cref="PortNotFound"/>, <see cref="SessionNotFound"/> or <see cref="ActionRefused"/>.</summary>
public sealed record KickSession(string Port, int Session, Requester By);

/// <summary>Changes line settings (null = keep); answered with <see cref="LineChanged"/> (values in effect), <see cref="PortNotFound"/> or <see cref="ActionRefused"/>.</summary>
public sealed record SetLine(string Port, ChangeLine Change, Requester By);

/// <summary>Sends a break; answered with <see cref="Done"/>, <see cref="PortNotFound"/>, <see cref="PortOffline"/> or <see cref="ActionRefused"/>.</summary>
public sealed record SendBreakTo(string Port, TimeSpan Duration, Requester By);

/// <summary>Gives a session the write lock; answered with <see cref="Done"/>, <see cref="PortNotFound"/>, <see cref="SessionNotFound"/> or <see cref="ActionRefused"/>.</summary>
public sealed record ForceWriteLock(string Port, int Session, Requester By);

/// <summary>
/// Applies a validated configuration: ports that did not change are untouched, changed ones change in place
/// (their sessions stay), removed ones close their sessions with a notice. Answered with <see cref="Reloaded"/>
/// or <see cref="ReloadFailed"/> (then nothing changed).
/// </summary>
public sealed record Reload(ConcentratorSettings Settings, string By);

/// <summary>
/// Hands a client that connected somewhere else (the web server's terminal WebSocket) to a port as an ordinary
/// session of <paramref name="Listener"/>: admission, roles, replay, notices and escape commands as for its own
/// listeners. Answered with <see cref="Done"/> once the session started, or <see cref="PortNotFound"/> (then the
/// channel is the asker's to close).
/// </summary>
public sealed record ConnectClient(string Port, ISessionChannel Channel, ListenerSettings Listener);

/// <summary>
/// The port's scrollback (the device output it keeps) for <paramref name="Principal"/>: answered with
/// <see cref="ScrollbackData"/>, <see cref="ScrollbackRefused"/> when the port's ACL does not let that principal use the
/// port at all (it could not watch it either), or <see cref="PortNotFound"/>.
/// </summary>
public sealed record GetScrollback(string Port, Admission.Principal Principal);

/// <summary>
/// The port refused an action: its ACL does not let <see cref="Requester"/> write, or the port is leased to someone
/// else. Nothing changed. (Answers <see cref="KickSession"/>, <see cref="SetLine"/>, <see cref="SendBreakTo"/> and
/// <see cref="ForceWriteLock"/> of a requester that is not unrestricted.)
/// </summary>
public sealed record ActionRefused(string Port, string Reason);

/// <summary>The port's ACL does not let the asker use it: nothing of its output is shown.</summary>
public sealed record ScrollbackRefused(string Port, string Reason);

/// <summary>
/// Published on the actor system's event stream whenever something an operator sees of a port changed: its device
/// state, its sessions or their roles, its line settings or configuration, or the port was added or removed. Carries
/// no state: a watcher asks for the <see cref="PortSnapshot"/> (and gets <see cref="PortNotFound"/> for a removed port).
/// </summary>
public sealed record PortChanged(string Port, string What);

/// <summary>The ports, in name order.</summary>
public sealed record PortList(IReadOnlyList<PortSnapshot> Ports);

/// <summary>A port's scrollback: the last bytes its device printed, oldest first, at most the port's <c>scrollback</c> size.</summary>
public sealed record ScrollbackData(string Port, byte[] Data);

/// <summary>The request was carried out.</summary>
public sealed record Done(string What);

public sealed record PortNotFound(string Port);

public sealed record SessionNotFound(string Port, int Session);

/// <summary>The device is not online, so the action could not reach it.</summary>
public sealed record PortOffline(string Port, DeviceState State);

/// <summary>Line settings in effect after a <see cref="SetLine"/>.</summary>
public sealed record LineChanged(PortLineState State);

/// <summary>What a reload changed, port by port.</summary>
public sealed record Reloaded(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> Changed, IReadOnlyList<string> Unchanged);

/// <summary>Nothing changed; each problem names its port and what went wrong (e.g. an address in use).</summary>
public sealed record ReloadFailed(IReadOnlyList<string> Problems);
