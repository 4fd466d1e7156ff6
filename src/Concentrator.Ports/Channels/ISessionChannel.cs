using System.Net;
using Concentrator.Ports.Admission;

namespace Concentrator.Ports.Channels;

/// <summary>
/// The transport under a session: plain TCP, a stream (TLS), or a message channel (WebSocket frames). The session's
/// codec (raw, telnet, RFC 2217) sits above it and never knows which one it runs on. Its data path is driven by one
/// session actor: one receive and one asynchronous send outstanding at a time. Only a control channel's
/// <see cref="IControlChannel.SendControl"/> and <see cref="IDisposable.Dispose"/> (or a channel's own close) may come from elsewhere — the web
/// server closing its WebSockets when it stops — and such channels make those safe themselves.
/// </summary>
public interface ISessionChannel : IDisposable
{
    /// <summary>The client's address, for admission (source filters), logs and the session list.</summary>
    EndPoint? RemoteEndPoint { get; }

    /// <summary>"address:port" of the client, or "?" when the transport has none.</summary>
    string Peer { get; }

    /// <summary>
    /// Who the transport vouches the client is, once its handshake is done (the web server's caller: an API token, or a
    /// users-file login with its groups); null for an anonymous client, the principal "*".
    /// </summary>
    Principal? Identity => null;

    /// <summary>A lease token the client presented with its connection (the terminal WebSocket's header), or null.</summary>
    string? LeaseToken => null;

    /// <summary>
    /// Transport setup before any console byte flows (a TLS handshake); completes at once for plain TCP. Throws
    /// <see cref="SessionChannelException"/> with the cause when the client fails it.
    /// </summary>
    Task HandshakeAsync(CancellationToken cancellation);

    /// <summary>Reads client bytes into <paramref name="buffer"/>; 0 when the client closed its side.</summary>
    ValueTask<int> ReceiveAsync(Memory<byte> buffer);

    /// <summary>
    /// Whether <see cref="SendNow"/> can take bytes without waiting (a non-blocking socket), so any thread may send a
    /// small chunk at once; false for transports that only send asynchronously (TLS, WebSocket).
    /// </summary>
    bool CanSendNow => false;

    /// <summary>
    /// Hands the transport as much of <paramref name="segments"/> as it takes without waiting and returns how many
    /// bytes that was (0 for transports with no such path). Throws <see cref="SessionChannelException"/> when the
    /// connection is broken.
    /// </summary>
    int SendNow(IList<ArraySegment<byte>> segments);

    /// <summary>Sends all of <paramref name="segments"/> and completes when the transport took the last byte.</summary>
    Task SendAsync(IList<ArraySegment<byte>> segments);

    /// <summary>Ends the connection in an orderly way where the transport has one (TCP FIN, TLS close_notify, WebSocket close).</summary>
    void Close();
}
