using System.Net;

namespace Concentrator.Ports.Configuration;

/// <summary>The protocol a listener speaks to its clients.</summary>
public enum ListenerProtocol { Raw, Telnet, Rfc2217 }

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
        _ => "rfc2217",
    };
}
