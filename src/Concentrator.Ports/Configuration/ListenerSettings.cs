using System.Net;

namespace Concentrator.Ports.Configuration;

/// <summary>
/// The protocol a listener speaks to its clients. <see cref="Web"/> is the browser terminal: raw bytes both ways (in
/// WebSocket binary frames) with notices and escape commands like telnet but no telnet framing; it has no TCP
/// listener of its own (the web server hands its sessions to the port) and cannot be configured as one.
/// </summary>
public enum ListenerProtocol { Raw, Telnet, Rfc2217, Web }

/// <summary>Whether a session's input may reach the device.</summary>
public enum SessionAccess { ReadWrite, ReadOnly }

/// <summary>What a session does when its bounded output queue is full because the client reads too slowly.</summary>
public enum OverflowPolicy
{
    /// <summary>Drop the oldest queued device output (counted, and said on telnet sessions).</summary>
    DropOldest,

    /// <summary>Close the session: it must never see a gap.</summary>
    Disconnect,

    /// <summary>Pause reading the device until the session caught up: no byte lost, everyone else waits too.</summary>
    Backpressure,
}

/// <summary>One TCP listener of a port.</summary>
public sealed record ListenerSettings(
    IPAddress Bind,
    int Port,
    ListenerProtocol Protocol,
    SessionAccess Access,
    bool Replay,
    long OutputQueueBytes,
    OverflowPolicy Overflow)
{
    public IPEndPoint EndPoint => new(Bind, Port);

    public override string ToString() =>
        $"{ProtocolName(Protocol)} on {EndPoint}{(Access == SessionAccess.ReadOnly ? " read-only" : "")}{(Replay ? " replay" : "")}";

    public static string ProtocolName(ListenerProtocol protocol) => protocol switch
    {
        ListenerProtocol.Raw => "raw",
        ListenerProtocol.Telnet => "telnet",
        ListenerProtocol.Web => "web",
        _ => "rfc2217",
    };
}
