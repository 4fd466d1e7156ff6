using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Concentrator.Devices;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.DeviceLink;
using Concentrator.Ports.Port;
using Concentrator.Testing;

namespace Concentrator.Ports.Tests.Port;

public sealed class PortActorTests : TestKit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static PortSettings Settings(string device, ListenerProtocol protocol = ListenerProtocol.Raw) =>
        PortSettingsBuilder.Port(device: device, listeners: PortSettingsBuilder.Listener(protocol));

    private (IActorRef Port, int TcpPort) StartPort(PortSettings settings)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen(16);
        var tcp = ((IPEndPoint)socket.LocalEndPoint!).Port;
        var port = Sys.ActorOf(PortActor.Props(settings, [socket]));
        return (port, tcp);
    }

    private static PortStatus AwaitState(IActorRef port, DeviceState state)
    {
        var status = Status(port);
        Eventually.True(() => (status = Status(port)).State == state, Timeout, () => $"the port is {status.State}, not {state}");
        return status;
    }

    private static PortStatus Status(IActorRef port) =>
        port.Ask<PortStatus>(GetPortStatus.Instance, Timeout).GetAwaiter().GetResult();

    private static string ReadText(Socket socket, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        socket.ReceiveTimeout = (int)Timeout.TotalMilliseconds;
        while (read < count)
        {
            var n = socket.Receive(buffer, read, count - read, SocketFlags.None);
            Assert.NotEqual(0, n);
            read += n;
        }

        return Encoding.ASCII.GetString(buffer);
    }

    [Fact]
    public void A_client_on_a_loopback_device_gets_its_bytes_back()
    {
        var (port, tcp) = StartPort(Settings("sim:echo"));
        AwaitState(port, DeviceState.Online);

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(IPAddress.Loopback, tcp);
        client.Send("ping"u8);
        Assert.Equal("ping", ReadText(client, 4));

        var status = Status(port);
        Assert.Equal(1, status.Sessions);
        Assert.Equal(4, status.BytesToDevice);
        Assert.Equal(4, status.BytesFromDevice);
    }

    [Fact]
    public void A_device_unplug_keeps_the_session_and_data_flows_again_after_replug()
    {
        using var device = VirtualSerialDevice.CreateTemp("port-actor");
        var (port, tcp) = StartPort(Settings(device.LinkPath));
        AwaitState(port, DeviceState.Online);

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(IPAddress.Loopback, tcp);
        AwaitAssert(() => Assert.Equal(1, Status(port).Sessions), Timeout);

        device.Unplug();
        AwaitState(port, DeviceState.Offline);

        device.Replug();
        var online = AwaitState(port, DeviceState.Online);
        Assert.Equal(1, online.Sessions);

        device.Write("back\n");
        Assert.Equal("back\n", ReadText(client, 5));
        client.Send("ok"u8);
        Assert.Equal("ok"u8.ToArray(), device.ReadExactly(2, Timeout));
    }

    [Fact]
    public void A_session_that_disconnects_leaves_the_port()
    {
        var (port, tcp) = StartPort(Settings("sim:echo"));
        AwaitState(port, DeviceState.Online);

        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(IPAddress.Loopback, tcp);
        AwaitAssert(() => Assert.Equal(1, Status(port).Sessions), Timeout);
        client.Dispose();
        AwaitAssert(() => Assert.Equal(0, Status(port).Sessions), Timeout);
    }
}
