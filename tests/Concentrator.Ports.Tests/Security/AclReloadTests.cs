using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Concentrator.Devices;
using Concentrator.Ports.Admission;
using Concentrator.Ports.Channels;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Port;
using Concentrator.Ports.Security;
using Concentrator.Testing;

namespace Concentrator.Ports.Tests.Security;

/// <summary>A reload that changes a port's ACL reaches the sessions already connected.</summary>
public sealed class AclReloadTests : TestKit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static readonly ListenerSettings Telnet = PortSettingsBuilder.Listener(ListenerProtocol.Telnet);

    private static PortSettings Settings(AccessControlList acl) => PortSettingsBuilder.Port("acl", listeners: Telnet) with { Acl = acl };

    private static PortStatus Status(IActorRef port) => port.Ask<PortStatus>(GetPortStatus.Instance, Timeout).GetAwaiter().GetResult();

    private static async Task<NetworkStream> Connect(IActorRef port, string principal)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        var server = await listener.AcceptAsync();
        var security = new SessionSecurity { Identify = channel => new Identification(Principal.User(principal, IPAddress.Loopback), null) };
        port.Tell(new ClientConnected(new TcpChannel(server), Telnet, security));
        return new NetworkStream(client, ownsSocket: true);
    }

    private static async Task<string> ReadUntil(Stream stream, string expected)
    {
        var text = new StringBuilder();
        var buffer = new byte[1024];
        using var cancel = new CancellationTokenSource(Timeout);
        while (!text.ToString().Contains(expected, StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer, cancel.Token);
            if (n == 0)
            {
                break;
            }

            text.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }

        return text.ToString();
    }

    [Fact]
    public async Task Sessions_the_new_acl_refuses_are_closed_and_those_it_only_lets_read_become_monitors()
    {
        var port = Sys.ActorOf(PortActor.Props(Settings(new AccessControlList(["alice", "bob"], [])), []));
        AwaitAssert(() => Assert.Equal(DeviceState.Online, Status(port).State), Timeout);
        await using var alice = await Connect(port, "alice");
        await using var bob = await Connect(port, "bob");
        AwaitAssert(() => Assert.Equal(2, Status(port).Sessions), Timeout);

        port.Tell(new Reconfigure(Settings(new AccessControlList([], ["bob"])), new Dictionary<IPEndPoint, Socket>()));

        Assert.Contains("alice may no longer use port acl (acl changed)", await ReadUntil(alice, "(acl changed)"), StringComparison.Ordinal);
        Assert.Contains("the acl now lets this session only read", await ReadUntil(bob, "only read"), StringComparison.Ordinal);
        AwaitAssert(() => Assert.Equal(1, Status(port).Sessions), Timeout);
        await bob.WriteAsync("ignored\r"u8.ToArray());
        Assert.Contains("read-only: your input is not sent", await ReadUntil(bob, "not sent"), StringComparison.Ordinal);
    }
}
