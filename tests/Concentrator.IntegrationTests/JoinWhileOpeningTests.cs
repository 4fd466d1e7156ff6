using System.Net.Sockets;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests;

/// <summary>
/// Clients that connect while their port is still opening (the daemon has just started) must lose nothing they type:
/// bytes sent before the device is online are held and delivered once it is (issue 21). Every other test waits for
/// "online" before it connects, which is why this went unnoticed.
/// </summary>
public sealed class JoinWhileOpeningTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(3, 256 * 1024)]
    [InlineData(64, 16 * 1024)]
    public async Task Bytes_sent_by_clients_that_join_during_daemon_start_all_reach_their_devices(int ports, int bytesPerPort)
    {
        var devices = Enumerable.Range(0, ports).Select(i => Track(VirtualSerialDevice.CreateTemp($"start{i}"))).ToArray();
        var tcp = FreeTcpPort.Distinct(ports + 1); // and one for the API, so no two are the same
        var config = string.Join("\n", Enumerable.Range(0, ports).Select(i =>
            $$"""concentrator.ports.p{{i}} { device = "{{devices[i].LinkPath}}", listeners = [ { port = {{tcp[i]}}, protocol = raw, replay = off } ] }"""));
        var daemon = Track(DaemonProcess.Start(config + $"\nconcentrator.api.port = {tcp[ports]}\n"));

        // Connect to every port as soon as its listener takes connections, and send at once: no waiting for "online".
        // Each from its own loopback address, as jobs on different machines would (one source would meet the
        // per-source accept rate).
        var clients = new TcpClientSession[ports];
        for (var i = 0; i < ports; i++)
        {
            clients[i] = Track(ConnectAsSoonAsListening(daemon, $"127.0.0.{10 + i}", tcp[i]));
        }

        var payloads = Enumerable.Range(0, ports).Select(i => Pattern(i, bytesPerPort)).ToArray();
        var reads = devices.Select(d => d.ReadExactlyAsync(bytesPerPort, Timeout)).ToArray();
        await Task.WhenAll(clients.Select((c, i) => Task.Run(() => c.Send(payloads[i]))));

        for (var i = 0; i < ports; i++)
        {
            byte[] got;
            try
            {
                got = await reads[i];
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"port p{i}: {e.Message}\n{daemon.Output}", e);
            }

            Assert.True(payloads[i].AsSpan().SequenceEqual(got), $"port p{i}: the device got other bytes than the client sent");
        }

        Assert.DoesNotContain("discarded while the device was offline", daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bytes_typed_while_the_device_is_unplugged_reach_it_once_it_is_replugged()
    {
        var device = Track(VirtualSerialDevice.CreateTemp("replug"));
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.usb { device = "{{device.LinkPath}}", listeners = [ { port = {{tcp}}, protocol = raw, replay = off } ] }
            """));
        daemon.WaitOnline("usb");
        var client = Track(TcpClientSession.Connect(tcp));
        daemon.WaitFor("session 1 on port usb: .* connected");
        client.Send("before|");
        Assert.Equal("before|", device.ReadUntil("|", Timeout));

        device.Unplug();
        daemon.WaitFor("port usb: offline");
        var typed = Pattern(1, 64 * 1024);
        client.Send(typed.AsSpan(0, 1024)); // typed while unplugged
        var sending = Task.Run(() => client.Send(typed.AsSpan(1024))); // and more than the pty holds: it waits in the daemon and in TCP
        device.Replug();

        Assert.True(typed.AsSpan().SequenceEqual(device.ReadExactly(typed.Length, Timeout)), "the device got other bytes than were typed");
        await sending.WaitAsync(Timeout);
        Assert.DoesNotContain("discarded", daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_typed_while_a_reload_moves_the_port_to_another_device_reach_the_new_device()
    {
        var before = Track(VirtualSerialDevice.CreateTemp("reload-a"));
        var after = Track(VirtualSerialDevice.CreateTemp("reload-b"));
        var tcp = FreeTcpPort.Next();
        string Config(VirtualSerialDevice device) => $$"""
            concentrator.ports.r { device = "{{device.LinkPath}}", notices = on, listeners = [ { port = {{tcp}}, protocol = raw, replay = off } ] }
            """;
        var daemon = Track(DaemonProcess.Start(Config(before)));
        daemon.WaitOnline("r");
        var stayer = Track(TcpClientSession.Connect(tcp));
        daemon.WaitFor("session 1 on port r: .* connected");

        daemon.RewriteConfig(Config(after));
        daemon.Hangup();
        stayer.ReadUntil("device is now", Timeout); // the port is opening the new device from here on
        stayer.Send("typed-during-reload|");
        var joiner = Track(TcpClientSession.Connect(tcp)); // and one that joins while it opens
        joiner.Send("joined-during-reload|");

        var got = after.ReadUntil("typed-during-reload|", Timeout);
        if (!got.Contains("joined-during-reload|", StringComparison.Ordinal))
        {
            got += after.ReadUntil("joined-during-reload|", Timeout);
        }

        Assert.Equal(("typed-during-reload|" + "joined-during-reload|").Length, got.Length); // each once, nothing else
    }

    /// <summary>A recognisable pattern per port, so a byte from another port or out of order shows.</summary>
    private static byte[] Pattern(int port, int length)
    {
        var data = new byte[length];
        for (var i = 0; i < length; i++)
        {
            data[i] = (byte)((i * 7) + port + (i >> 8));
        }

        return data;
    }

    private static TcpClientSession ConnectAsSoonAsListening(DaemonProcess daemon, string source, int port)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            try
            {
                return TcpClientSession.ConnectFrom(source, port);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                if (daemon.HasExited || DateTime.UtcNow > deadline)
                {
                    var exit = daemon.Terminate(); // waits for the exit, so the output is complete
                    throw new InvalidOperationException($"port {port} never accepted (exit {exit}):\n{daemon.Output}", e);
                }

                Thread.Sleep(5); // polling for the listener to bind: the condition itself, not a guess at how long it takes
            }
        }
    }
}
