using System.Net.Sockets;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests;

/// <summary>Rack mode: adapters matched by a glob get TCP ports that stay theirs across replug and restart.</summary>
public sealed class DiscoveryTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _byId;
    private readonly TempDirectory _state; // the state file lives outside the watched directory

    public DiscoveryTests()
    {
        _byId = Track(new TempDirectory("by-id"));
        _state = Track(new TempDirectory("discovery-state"));
    }

    private static int FreeRange(int count)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var start = FreeTcpPort.Next();
            if (start + count < 65535 && Enumerable.Range(start, count).All(IsFree))
            {
                return start;
            }
        }

        throw new InvalidOperationException("no free range of TCP ports");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private DaemonProcess Start(int basePort, string forgetAfter = "1h") => Track(DaemonProcess.Start($$"""
        concentrator {
          defaults { baud = 57600 }
          discovery {
            match = "{{_byId.FullName}}/usb-*"
            base-port = {{basePort}}
            protocol = raw
            state-file = "{{_state.FullName}}/ports.json"
            forget-after = {{forgetAfter}}
          }
        }
        """));

    private static void Echo(DaemonProcess daemon, VirtualSerialDevice device, int tcp, int session, string text)
    {
        using var client = TcpClientSession.Connect(tcp);
        // The session must be admitted before the device speaks (raw read-write sessions get no replay).
        daemon.WaitFor($"session {session} on port {Path.GetFileName(device.LinkPath)}: .* connected");
        device.Write(text);
        Assert.Equal(text, client.ReadUntil(text, Timeout));
    }

    [Fact]
    public void Adapters_get_stable_tcp_ports_across_replug_and_restart()
    {
        var basePort = FreeRange(4);
        var a = Track(VirtualSerialDevice.Create(Path.Combine(_byId.FullName, "usb-A-if00-port0")));
        var daemon = Start(basePort);
        daemon.WaitFor("discovery: every");
        daemon.WaitOnline("usb-A-if00-port0");
        Echo(daemon, a, basePort, 1, "A on the base port\n");
        Assert.Equal(57600, a.GetTermios().BaudRate); // defaults apply to discovered ports

        // Plugged in later: added live, on the next port.
        var b = Track(VirtualSerialDevice.Create(Path.Combine(_byId.FullName, "usb-B-if00-port0")));
        daemon.WaitOnline("usb-B-if00-port0");
        Echo(daemon, b, basePort + 1, 1, "B on the next port\n");

        // Unplugged and replugged: same port, back online.
        a.Unplug();
        daemon.WaitFor("port usb-A-if00-port0: offline");
        a.Replug();
        daemon.WaitFor("port usb-A-if00-port0: online(.|\\n)*port usb-A-if00-port0: online");
        Echo(daemon, a, basePort, 2, "A again\n");
        Assert.Equal(0, daemon.Terminate());

        // After a restart with only B present, B keeps its port; A gets its own back when it returns.
        a.Unplug();
        var restarted = Start(basePort);
        restarted.WaitOnline("usb-B-if00-port0");
        Echo(restarted, b, basePort + 1, 1, "B after restart\n");
        Assert.True(IsFree(basePort), "A's port must stay reserved for A, not be handed to B");
        a.Replug();
        restarted.WaitOnline("usb-A-if00-port0");
        Echo(restarted, a, basePort, 1, "A after restart\n");
    }

    [Fact]
    public void An_adapter_gone_longer_than_forget_after_is_dropped_and_gets_its_tcp_port_back_when_it_returns()
    {
        var basePort = FreeRange(4);
        var a = Track(VirtualSerialDevice.Create(Path.Combine(_byId.FullName, "usb-A-if00-port0")));
        var daemon = Start(basePort, forgetAfter: "1s");
        daemon.WaitOnline("usb-A-if00-port0");
        using (var watcher = TcpClientSession.Connect(basePort))
        {
            daemon.WaitFor("session 1 on port usb-A-if00-port0: .* connected");
            a.Unplug();
            daemon.WaitFor("discovery: forgetting port usb-A-if00-port0: .* gone for", Timeout);
            daemon.WaitFor("session 1 on port usb-A-if00-port0: .* disconnected", Timeout); // the port closed it
        }

        Eventually.True(() => IsFree(basePort), Timeout, () => "the forgotten port still listens");
        a.Replug();
        daemon.WaitFor("port usb-A-if00-port0: online(.|\\n)*port usb-A-if00-port0: online", Timeout);
        using var client = TcpClientSession.Connect(basePort);
        daemon.WaitFor("session 1 on port usb-A-if00-port0: .* connected(.|\\n)*session 1 on port usb-A-if00-port0: .* connected");
        a.Write("A is back on its own port\n");
        Assert.Equal("A is back on its own port\n", client.ReadUntil("port\n", Timeout));
    }

    [Fact]
    public void A_discovery_config_is_checked_like_any_other()
    {
        var (code, output) = DaemonProcess.Run("""
            concentrator.discovery { match = "/dev/serial/*/usb-*", base-port = 99999, protocl = raw }
            """);
        Assert.Equal(2, code);
        Assert.Contains("key 'match'", output, StringComparison.Ordinal);
        Assert.Contains("key 'base-port' = '99999'", output, StringComparison.Ordinal);
        Assert.Contains("key 'protocl' = 'raw': unknown key (did you mean 'protocol'?)", output, StringComparison.Ordinal);
    }
}
