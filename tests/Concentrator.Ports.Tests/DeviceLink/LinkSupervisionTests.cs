using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Concentrator.Devices;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Port;
using Concentrator.Testing;

namespace Concentrator.Ports.Tests.DeviceLink;

/// <summary>The port actor supervises its device link directly: a crashed link is restarted and re-synced.</summary>
public sealed class LinkSupervisionTests : TestKit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_crashed_link_is_restarted_and_the_device_works_again()
    {
        var settings = PortSettingsBuilder.Port();
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen(16);
        var tcp = ((IPEndPoint)socket.LocalEndPoint!).Port;
        var port = Sys.ActorOf(PortActor.Props(settings, [socket]));
        AwaitAssert(() => Assert.Equal(DeviceState.Online, Status(port).State), Timeout);

        var link = await Sys.ActorSelection(port.Path / "link-1").ResolveOne(Timeout);
        link.Tell(Kill.Instance); // ActorKilledException: the default strategy would stop it

        // Identify queues behind the Kill: a stopped link would answer through dead letters with no subject.
        link.Tell(new Identify("after-kill"), TestActor);
        Assert.Equal(link, ExpectMsg<ActorIdentity>(Timeout).Subject);

        // The restarted link said LinkReady before answering, so the port re-opened the device through it.
        AwaitAssert(() => Assert.Equal(DeviceState.Online, Status(port).State), Timeout);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(IPAddress.Loopback, tcp);
        AwaitAssert(() => Assert.Equal(1, Status(port).Sessions), Timeout);
        client.Send("ping"u8);
        var buffer = new byte[4];
        client.ReceiveTimeout = (int)Timeout.TotalMilliseconds;
        var read = 0;
        while (read < buffer.Length)
        {
            var n = client.Receive(buffer, read, buffer.Length - read, SocketFlags.None);
            Assert.NotEqual(0, n);
            read += n;
        }

        Assert.Equal("ping"u8.ToArray(), buffer);
    }

    private static PortStatus Status(IActorRef port) =>
        port.Ask<PortStatus>(GetPortStatus.Instance, Timeout).GetAwaiter().GetResult();
}
