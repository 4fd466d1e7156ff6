using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Concentrator.Ports.Admission;
using Concentrator.Ports.Channels;

namespace Concentrator.Ports.Security;

/// <summary>
/// Wraps an accepted socket in TLS: a <see cref="StreamChannel"/> over an SslStream whose handshake runs in the session
/// (bounded by handshake-timeout there), and how to name the client afterwards. A client that opens with plain text
/// is told in one plain line that the listener speaks TLS, and the log says so, instead of an OpenSSL error.
/// </summary>
public static class TlsAcceptor
{
    private static readonly byte[] PlainClientLine =
        "concentrator: this listener speaks TLS (use --tls, openssl s_client or socat OPENSSL:)\r\n"u8.ToArray();

    public static (ISessionChannel Channel, Func<ISessionChannel, Identification> Identify) Wrap(
        Socket socket, TlsSettings tls, ListenerAuthentication auth)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(tls);
        socket.NoDelay = true; // console traffic is interactive
        var remote = socket.RemoteEndPoint;
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        string? rejected = null;
        var options = tls.ServerOptions(problem => rejected = problem);

        async Task Handshake(CancellationToken cancellation)
        {
            var first = new byte[1];
            if (await socket.ReceiveAsync(first, SocketFlags.Peek, cancellation).ConfigureAwait(false) == 0)
            {
                throw new SessionChannelException("closed the connection before the TLS handshake");
            }

            if (first[0] != 0x16)
            {
                await socket.SendAsync(PlainClientLine, SocketFlags.None, cancellation).ConfigureAwait(false);
                // What the client sent is read away first: closing with unread bytes would reset the connection and
                // could take the line with it before the client reads it.
                var discard = new byte[1024];
                while (socket.Available > 0 && await socket.ReceiveAsync(discard, SocketFlags.None, cancellation).ConfigureAwait(false) > 0)
                {
                }

                socket.Shutdown(SocketShutdown.Send);
                throw new SessionChannelException($"not a TLS client (it opened with byte 0x{first[0]:x2}, not a ClientHello): a plain client on a TLS listener");
            }

            try
            {
                await stream.AuthenticateAsServerAsync(options, cancellation).ConfigureAwait(false);
            }
            catch (Exception e) when (rejected is not null && e is AuthenticationException or IOException)
            {
                throw new SessionChannelException("TLS handshake failed: " + rejected);
            }
        }

        Identification Identify(ISessionChannel channel)
        {
            if (auth != ListenerAuthentication.Certificate)
            {
                return Identification.Anonymous(channel);
            }

            var source = (channel.RemoteEndPoint as System.Net.IPEndPoint)?.Address;
            return ClientCertificateValidator.PrincipalName(stream.RemoteCertificate) is { } name
                ? new Identification(new Principal(name, source) { Kind = PrincipalKind.Certificate }, null)
                : new Identification(null, stream.RemoteCertificate is null
                    ? "no client certificate (auth = certificate)"
                    : "the client certificate has no CN to name the client by");
        }

        return (new StreamChannel(stream, remote, Handshake), Identify);
    }
}
