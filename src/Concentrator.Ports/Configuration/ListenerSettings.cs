using System.Net;
using Concentrator.Ports.Security;

namespace Concentrator.Ports.Configuration;

/// <summary>
/// The protocol a listener speaks to its clients. <see cref="Web"/> is the browser terminal: raw bytes both ways (in
/// WebSocket binary frames) with notices and escape commands like telnet but no telnet framing; it has no TCP
/// listener of its own (the web server hands its sessions to the port) and cannot be configured as one.
/// </summary>
public enum ListenerProtocol { Raw, Telnet, Rfc2217, Web, Udp }

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
/// <param name="Bind">The address it listens on.</param>
/// <param name="Port">The TCP port.</param>
/// <param name="Protocol">What its sessions speak.</param>
/// <param name="Access">Whether its sessions may write (an ACL may narrow it further).</param>
/// <param name="Replay">Whether the scrollback is replayed on connect.</param>
/// <param name="OutputQueueBytes">How much output may wait for a slow client.</param>
/// <param name="Overflow">What happens to a client too slow for that.</param>
/// <param name="Tls">TLS around the whole stream (the protocol inside is unchanged); null for plain TCP.</param>
/// <param name="Auth">How clients are identified.</param>
/// <param name="Sources">allow / deny networks, checked at accept; null or empty for none.</param>
/// <param name="OverflowConfigured">
/// Whether <paramref name="Overflow"/> was set in the config. When it was not, the port's only session and its only
/// writer get backpressure instead (a reader is never dropped for reading), and the default applies to the others.
/// </param>
public sealed record ListenerSettings(
    IPAddress Bind,
    int Port,
    ListenerProtocol Protocol,
    SessionAccess Access,
    bool Replay,
    long OutputQueueBytes,
    OverflowPolicy Overflow,
    TlsSettings? Tls = null,
    ListenerAuthentication Auth = ListenerAuthentication.None,
    SourceFilter? Sources = null,
    bool OverflowConfigured = false)
{
    public IPEndPoint EndPoint => new(Bind, Port);

    /// <summary>Datagrams (UDP) rather than a connection: its socket cannot be handed to a TCP listener, nor back.</summary>
    public bool IsDatagram => Protocol == ListenerProtocol.Udp;

    /// <summary>The allow / deny lists (<see cref="SourceFilter.None"/> when there are none).</summary>
    public SourceFilter SourceFilter => Sources ?? SourceFilter.None;

    public override string ToString() =>
        $"{ProtocolName(Protocol)} on {EndPoint}{(Access == SessionAccess.ReadOnly ? " read-only" : "")}{(Replay ? " replay" : "")}" +
        (Tls is null ? "" : $" {Tls}") + (Auth == ListenerAuthentication.None ? "" : $" auth={Auth.ToString().ToLowerInvariant()}") +
        (SourceFilter.IsEmpty ? "" : $" {SourceFilter}");

    public static string ProtocolName(ListenerProtocol protocol) => protocol switch
    {
        ListenerProtocol.Raw => "raw",
        ListenerProtocol.Telnet => "telnet",
        ListenerProtocol.Web => "web",
        ListenerProtocol.Udp => "udp",
        _ => "rfc2217",
    };
}
