using Concentrator.Devices;
using Concentrator.Ports.Admission;
using Concentrator.Ports.Channels;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Security;
using Concentrator.Ports.Session;

namespace Concentrator.Ports.Port;

/// <summary>Where a port's device is in its life.</summary>
public enum DeviceState { Opening, Online, Offline }

/// <summary>Listener -> port: a client connected on a channel; the port starts its session, which then asks to join.</summary>
/// <param name="Channel">The client's transport.</param>
/// <param name="Listener">The listener it came through.</param>
/// <param name="Security">Handshake timeout, how the client is identified, login; null: anonymous, with the daemon's handshake timeout.</param>
public sealed record ClientConnected(ISessionChannel Channel, ListenerSettings Listener, SessionSecurity? Security = null)
{
    /// <summary>The client's terminal size as its entry point keeps it up to date (SSH entry), for the session list.</summary>
    public Session.SessionTerminal? Terminal { get; init; }
}

/// <summary>Session -> port: the channel is up and the client is <paramref name="Principal"/>; admit me or refuse me.</summary>
/// <param name="Principal">Who the client is.</param>
/// <param name="Peer">The client's address as text, for logs and the session list.</param>
/// <param name="Counters">The session's traffic counters, for snapshots and metrics.</param>
/// <param name="Output">Where the device reader thread hands the session device output once admitted.</param>
public sealed record JoinPort(Principal Principal, string Peer, SessionCounters Counters, IDeviceOutputSink Output);

/// <summary>Port -> session: admitted as session <paramref name="Id"/>; a <see cref="RoleChanged"/> with the initial role follows.</summary>
/// <param name="Id">The session's number on its port.</param>
/// <param name="ReadOnly">Admitted as a monitor: a read-only listener, or the port's ACL narrowed a read-write one.</param>
/// <param name="Input">Where the session writes to the device (the port's data plane decides by the port's permits).</param>
public sealed record SessionAdmitted(int Id, bool ReadOnly = false, DataPlane.DeviceInput? Input = null);

/// <summary>Port -> session: refused; say <paramref name="Line"/> to the client and close.</summary>
public sealed record SessionRefused(string Line, string Reason);

/// <summary>Port -> session: close now, after saying <paramref name="Notice"/> (where notices are shown); <paramref name="Reason"/> goes to the log.</summary>
public sealed record CloseSession(string Notice, string Reason);

/// <summary>
/// Port's data plane -> session: a write that was queued (<see cref="DataPlane.WriteOutcome.Queued"/>) ended; the session
/// reads its client again once its queued writes drain.
/// </summary>
public sealed record WriteCompleted(int Bytes, DataPlane.WriteResult Result);

/// <summary>
/// Session -> port: a device request (<see cref="ChangeLine"/>, <see cref="ChangeControl"/>, <see cref="PulseBreak"/>,
/// <see cref="PurgeBuffers"/>) with the place the session took for it in the device queue; the port fills or cancels it.
/// </summary>
public sealed record ViaSlot(DataPlane.DeviceSlot Slot, object Request);

/// <summary>Port -> sessions: the device went online or offline.</summary>
public sealed record PortStatusChanged(string Port, DeviceState State, string Detail);

/// <summary>Anyone -> port: a cheap status (tests ask it; the management API and the CLI ask <see cref="Management.GetPort"/> for a full snapshot).</summary>
public sealed record GetPortStatus
{
    public static GetPortStatus Instance { get; } = new();
}

/// <summary>A port's status.</summary>
public sealed record PortStatus(
    string Name,
    DeviceState State,
    string? KernelNode,
    LineSettings Line,
    int Sessions,
    long BytesFromDevice,
    long BytesToDevice,
    long BytesDiscarded);

/// <summary>
/// Session -> port: change line settings (null = keep). All null is a query. The port answers with
/// <see cref="PortLineState"/> after the change is applied, carrying the values actually in effect.
/// </summary>
public sealed record ChangeLine(
    int? BaudRate = null,
    int? DataBits = null,
    Parity? Parity = null,
    StopBits? StopBits = null,
    FlowControl? FlowControl = null)
{
    public static ChangeLine Query { get; } = new();

    public LineSettings ApplyTo(LineSettings line) => new(
        BaudRate ?? line.BaudRate, DataBits ?? line.DataBits, Parity ?? line.Parity, StopBits ?? line.StopBits,
        FlowControl ?? line.FlowControl);
}

/// <summary>Session -> port: drive DTR/RTS/break (null = keep). Answered with <see cref="PortLineState"/>.</summary>
public sealed record ChangeControl(bool? Dtr = null, bool? Rts = null, bool? Break = null);

/// <summary>Session -> port: discard buffered device data. Answered with <see cref="PortLineState"/>.</summary>
public sealed record PurgeBuffers(PurgeTarget Target);

/// <summary>Session -> port: send a break of the given length (telnet IAC BRK). No answer.</summary>
public sealed record PulseBreak(TimeSpan Duration);

/// <summary>
/// Port -> session: the port's line state in effect. Control lines a device lacks (a pty has no DTR/RTS) are
/// tracked by the port and echoed; modem inputs it cannot read are reported as a steady connected cable.
/// </summary>
public sealed record PortLineState(LineSettings Line, bool Dtr, bool Rts, bool Break, ModemStatus Modem);

/// <summary>Port -> sessions: the modem status inputs changed.</summary>
public sealed record ModemStatusChanged(ModemStatus Modem);

/// <summary>
/// Session -> port: this session wants to hear of modem-input changes (an RFC 2217 client with COM-PORT-OPTION on and
/// a non-zero SET-MODEMSTATE-MASK), or no longer does. The device's modem inputs are read only while someone wants them.
/// </summary>
public sealed record WatchModemLines(bool Watch);

/// <summary>What a session asks of the write lock (escape commands f, a, s).</summary>
public enum WriteLockAction { Force, Ask, Release }

/// <summary>Session -> port: force, ask for or give up write access.</summary>
public sealed record WriteLockRequest(WriteLockAction Action);

/// <summary>
/// Session -> port: the client presented a lease's token (<c>--lease-token</c>). The port decides the session's write
/// right again with it and answers <see cref="LeaseTokenChecked"/> after any <see cref="RoleChanged"/>, so input the
/// client sent after its token is handled with the right the token gave.
/// </summary>
public sealed record PresentLeaseToken(string Token)
{
    /// <summary>Never the token: messages print themselves into logs.</summary>
    public override string ToString() => "PresentLeaseToken";
}

/// <summary>Port -> session: the token was checked; <paramref name="Holds"/> when it is the port's lease's.</summary>
public sealed record LeaseTokenChecked(bool Holds);

/// <summary>Port -> session: whether this session's input now reaches the device, and why.</summary>
public sealed record RoleChanged(bool CanWrite, string Reason, bool Initial);

/// <summary>Port -> session: scrollback to show before live output (on connect, or on request).</summary>
public sealed record Replay(byte[] Data);

/// <summary>
/// Port -> session, once after admission: the scrollback to replay (empty without replay); device output handed
/// to the session's <see cref="IDeviceOutputSink"/> since it joined goes out after it.
/// </summary>
public sealed record OutputStart(byte[] Replay);

/// <summary>Session -> port: send me the scrollback again (escape command r).</summary>
public sealed record RequestReplay
{
    public static RequestReplay Instance { get; } = new();
}

/// <summary>Session -> port: who is connected (escape command w); answered with <see cref="SessionsReport"/>.</summary>
public sealed record ListSessions
{
    public static ListSessions Instance { get; } = new();
}

/// <summary>Port -> session: one line per session.</summary>
public sealed record SessionsReport(IReadOnlyList<string> Lines);

/// <summary>
/// Supervisor -> port: serve with these settings from now on (a reload). Sessions stay; <paramref name="NewSockets"/>
/// holds the bound sockets of listeners the port did not have.
/// </summary>
public sealed record Reconfigure(PortSettings Settings, IReadOnlyDictionary<System.Net.IPEndPoint, System.Net.Sockets.Socket> NewSockets);

/// <summary>Supervisor -> port: the port is gone from the configuration; close every session with a notice, then stop.</summary>
public sealed record ClosePort(string Reason);

/// <summary>Session -> port: a backpressure session's output queue is over its capacity (pause the device), or drained.</summary>
public sealed record OutputBehind(bool Behind);
