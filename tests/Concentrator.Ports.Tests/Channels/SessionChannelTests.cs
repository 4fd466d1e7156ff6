using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Concentrator.Devices;
using Concentrator.Ports.Channels;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Port;

using Concentrator.Testing;

namespace Concentrator.Ports.Tests.Channels;

/// <summary>
/// The same session, over each channel: a port on a loopback device (sim:echo) is handed connections the way a
/// listener hands them, over real loopback sockets, with a real TLS handshake and the real WebSocket protocol.
/// </summary>
public sealed class SessionChannelTests : TestKit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static readonly ListenerSettings Raw = PortSettingsBuilder.Listener();

    private static PortSettings Settings(int maxSessions = 16) => PortSettingsBuilder.Port("chan", listeners: Raw) with { MaxSessions = maxSessions };

    private IActorRef StartPort(int maxSessions = 16)
    {
        var port = Sys.ActorOf(PortActor.Props(Settings(maxSessions), []));
        AwaitAssert(() => Assert.Equal(DeviceState.Online, Status(port).State), Timeout);
        return port;
    }

    private static PortStatus Status(IActorRef port) => port.Ask<PortStatus>(GetPortStatus.Instance, Timeout).GetAwaiter().GetResult();

    private static async Task<string> ReadText(Stream stream, int count)
    {
        var buffer = new byte[count];
        using var cancel = new CancellationTokenSource(Timeout);
        await stream.ReadExactlyAsync(buffer, cancel.Token);
        return Encoding.ASCII.GetString(buffer);
    }

    [Fact]
    public async Task A_session_over_a_plain_stream_echoes_through_the_device()
    {
        var port = StartPort();
        var (client, server) = await LoopbackSockets.ConnectedPairAsync();
        using var clientStream = new NetworkStream(client, ownsSocket: true);

        port.Tell(new ClientConnected(new StreamChannel(new NetworkStream(server, ownsSocket: true), server.RemoteEndPoint), Raw));
        await clientStream.WriteAsync("over a stream"u8.ToArray());

        Assert.Equal("over a stream", await ReadText(clientStream, 13));
        AwaitAssert(() => Assert.Equal(1, Status(port).Sessions), Timeout);
    }

    [Fact]
    public async Task A_session_over_tls_echoes_after_the_handshake_and_a_failed_handshake_is_never_admitted()
    {
        var port = StartPort();
        using var certificate = SelfSigned("localhost");

        var (client, server) = await LoopbackSockets.ConnectedPairAsync();
        var serverTls = new SslStream(new NetworkStream(server, ownsSocket: true));
        port.Tell(new ClientConnected(new StreamChannel(serverTls, server.RemoteEndPoint,
            cancel => serverTls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, cancel)), Raw));
        await using var clientTls = new SslStream(new NetworkStream(client, ownsSocket: true), false,
            (_, cert, _, _) => cert?.GetCertHashString() == certificate.GetCertHashString());
        await clientTls.AuthenticateAsClientAsync("localhost");
        await clientTls.WriteAsync("over tls"u8.ToArray());
        Assert.Equal("over tls", await ReadText(clientTls, 8));

        // A plain client on the TLS channel: the handshake fails, the session ends, nothing is admitted.
        var (plain, plainServer) = await LoopbackSockets.ConnectedPairAsync();
        using var plainStream = new NetworkStream(plain, ownsSocket: true);
        var badTls = new SslStream(new NetworkStream(plainServer, ownsSocket: true));
        port.Tell(new ClientConnected(new StreamChannel(badTls, plainServer.RemoteEndPoint,
            cancel => badTls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, cancel)), Raw));
        await plainStream.WriteAsync("GET / HTTP/1.0\r\n\r\n"u8.ToArray());
        using var cancel = new CancellationTokenSource(Timeout);
        var buffer = new byte[64];
        while (await plainStream.ReadAsync(buffer, cancel.Token) > 0)
        {
            // whatever the server says, it then closes the connection
        }

        Assert.Equal(1, Status(port).Sessions);
    }

    [Fact]
    public async Task A_session_over_websocket_frames_echoes_and_a_refused_one_gets_the_busy_line_and_a_close()
    {
        var port = StartPort(maxSessions: 1);
        using var first = await WebSocketPair(port);
        await first.SendAsync("frames"u8.ToArray(), WebSocketMessageType.Binary, true, CancellationToken.None);
        Assert.Equal("frames", await ReceiveText(first, 6));
        AwaitAssert(() => Assert.Equal(1, Status(port).Sessions), Timeout);

        using var second = await WebSocketPair(port);
        const string busy = "concentrator: port chan is busy (1 sessions, max 1)\r\n";
        Assert.Equal(busy, await ReceiveText(second, busy.Length));
        using var cancel = new CancellationTokenSource(Timeout);
        var close = await second.ReceiveAsync(new byte[16], cancel.Token);
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal(1, Status(port).Sessions);
    }

    /// <summary>A client WebSocket whose server end is handed to the port as a session.</summary>
    private static async Task<WebSocket> WebSocketPair(IActorRef port)
    {
        var (client, server) = await LoopbackSockets.ConnectedPairAsync();
        var serverSocket = WebSocket.CreateFromStream(new NetworkStream(server, ownsSocket: true),
            new WebSocketCreationOptions { IsServer = true });
        port.Tell(new ClientConnected(new WebSocketChannel(serverSocket, server.RemoteEndPoint), Raw));
        return WebSocket.CreateFromStream(new NetworkStream(client, ownsSocket: true), new WebSocketCreationOptions { IsServer = false });
    }

    private static async Task<string> ReceiveText(WebSocket socket, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        using var cancel = new CancellationTokenSource(Timeout);
        while (read < count)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(read), cancel.Token);
            Assert.Equal(WebSocketMessageType.Binary, result.MessageType);
            read += result.Count;
        }

        return Encoding.ASCII.GetString(buffer);
    }

    private static X509Certificate2 SelfSigned(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
    }
}
