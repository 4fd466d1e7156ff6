using System.Diagnostics;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests;

/// <summary>The real daemon serving pty-backed virtual devices over raw TCP.</summary>
public sealed class RawServingTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    // A pty delivers a MiB in milliseconds, thousands of times faster than a UART; a generous output queue keeps a
    // test client that the scheduler starves for a moment from being disconnected as too slow (the default policy).
    private static string RawPort(string name, string device, int tcp) => $$"""
        {{name}} {
          device = "{{device}}"
          baud = 115200
          listeners = [ { port = {{tcp}}, protocol = raw, output-queue = 16MiB } ]
        }
        """;

    [Fact]
    public async Task Three_ports_each_move_one_MiB_byte_exact_in_both_directions()
    {
        var devices = Enumerable.Range(0, 3).Select(_ => Track(VirtualSerialDevice.CreateTemp("three"))).ToArray();
        var tcp = devices.Select(_ => FreeTcpPort.Next()).ToArray();
        var daemon = Track(DaemonProcess.Start(
            "concentrator.ports {\n" + string.Join("\n", devices.Select((d, i) => RawPort($"p{i}", d.LinkPath, tcp[i]))) + "\n}"));
        daemon.WaitOnline("p0", "p1", "p2");

        var clients = tcp.Select(p => Track(TcpClientSession.Connect(p))).ToArray();
        // Raw read-write sessions get no replay: the device may only speak once each session is admitted.
        daemon.WaitFor("session 1 on port p0: .* connected");
        daemon.WaitFor("session 1 on port p1: .* connected");
        daemon.WaitFor("session 1 on port p2: .* connected");
        var transfers = devices.Select((device, i) => Task.Run(() => MoveBothWays(device, clients[i], seed: i)));
        await Task.WhenAll(transfers);
    }

    private static async Task MoveBothWays(VirtualSerialDevice device, TcpClientSession client, int seed)
    {
        const int size = 1024 * 1024;
        var random = new Random(seed);
        var toDevice = new byte[size];
        var toClient = new byte[size];
        random.NextBytes(toDevice);
        random.NextBytes(toClient);
        // Every byte value must pass, 0x00 and 0xFF included.
        toDevice[0] = 0x00;
        toDevice[1] = 0xFF;
        toClient[0] = 0xFF;
        toClient[1] = 0x00;

        var atDevice = device.ReadExactlyAsync(size, Timeout);
        var atClient = Task.Run(() => client.ReadExactly(size, Timeout));
        var send = client.SendAsync(toDevice);
        var print = Task.Run(() => device.Write(toClient));
        await Task.WhenAll(send, print);

        Assert.Equal(toDevice, await atDevice);
        Assert.Equal(toClient, await atClient);
    }

    [Fact]
    public void Every_session_on_a_port_receives_the_device_output_and_each_may_write()
    {
        var device = Track(VirtualSerialDevice.CreateTemp("two"));
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($"concentrator.ports {{ {RawPort("shared", device.LinkPath, tcp)} }}"));
        daemon.WaitOnline("shared");

        var first = Track(TcpClientSession.Connect(tcp));
        var second = Track(TcpClientSession.Connect(tcp));
        daemon.WaitFor("session 2 on port shared");

        device.Write("login: ");
        Assert.Equal("login: ", first.ReadUntil("login: ", Timeout));
        Assert.Equal("login: ", second.ReadUntil("login: ", Timeout));

        first.Send("alice\r");
        Assert.Equal("alice\r"u8.ToArray(), device.ReadExactly(6, Timeout));
        second.Send("bob\r");
        Assert.Equal("bob\r"u8.ToArray(), device.ReadExactly(4, Timeout));
    }

    [Fact]
    public async Task Socat_as_a_raw_client_talks_to_the_device()
    {
        var device = Track(VirtualSerialDevice.CreateTemp("socat"));
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($"concentrator.ports {{ {RawPort("s", device.LinkPath, tcp)} }}"));
        daemon.WaitOnline("s");

        using var socat = Process.Start(new ProcessStartInfo("socat", $"- TCP:127.0.0.1:{tcp}")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        try
        {
            daemon.WaitFor("session 1 on port s");
            socat.StandardInput.Write("reboot\n");
            socat.StandardInput.Flush();
            Assert.Equal("reboot\n"u8.ToArray(), device.ReadExactly(7, Timeout));

            device.Write("U-Boot 2024.01\n");
            var line = await socat.StandardOutput.ReadLineAsync().WaitAsync(Timeout);
            Assert.Equal("U-Boot 2024.01", line);
        }
        finally
        {
            socat.Kill();
        }
    }

    [Fact]
    public void A_missing_device_leaves_its_port_offline_and_the_others_serving_until_it_appears()
    {
        var present = Track(VirtualSerialDevice.CreateTemp("present"));
        var missingPath = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}");
        int tcpPresent = FreeTcpPort.Next(), tcpMissing = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports {
              {{RawPort("present", present.LinkPath, tcpPresent)}}
              {{RawPort("absent", missingPath, tcpMissing)}}
              absent.reopen { min-backoff = 50ms, max-backoff = 200ms }
            }
            """));
        daemon.WaitOnline("present");
        daemon.WaitFor("port absent: offline");

        // The absent port still accepts a session; the present port works normally.
        var waiting = Track(TcpClientSession.Connect(tcpMissing));
        var client = Track(TcpClientSession.Connect(tcpPresent));
        daemon.WaitFor("session 1 on port present: .* connected");
        daemon.WaitFor("session 1 on port absent: .* connected");
        present.Write("ok\n");
        Assert.Equal("ok\n", client.ReadUntil("ok\n", Timeout));
        Assert.False(daemon.HasExited);

        // The device shows up later: the port comes online and the waiting session gets its output.
        var late = Track(VirtualSerialDevice.Create(missingPath));
        daemon.WaitOnline("absent");
        late.Write("hello\n");
        Assert.Equal("hello\n", waiting.ReadUntil("hello\n", Timeout));
    }

    [Fact]
    public void The_daemon_applies_the_configured_baud_rate_to_the_device()
    {
        var device = Track(VirtualSerialDevice.CreateTemp("baud"));
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.b { device = "{{device.LinkPath}}", baud = 57600, stop-bits = 2, listeners = [ { port = {{tcp}}, protocol = raw } ] }
            """));
        daemon.WaitOnline("b");

        var termios = device.GetTermios();
        Assert.Equal(57600, termios.BaudRate);
        Assert.True(termios.IsRaw);
    }

    [Fact]
    public void Sigterm_stops_the_daemon_cleanly_and_closes_its_sessions()
    {
        var device = Track(VirtualSerialDevice.CreateTemp("term"));
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($"concentrator.ports {{ {RawPort("t", device.LinkPath, tcp)} }}"));
        daemon.WaitOnline("t");
        var client = Track(TcpClientSession.Connect(tcp));
        daemon.WaitFor("session 1 on port t");

        Assert.Equal(0, daemon.Terminate());
        Assert.True(client.WaitClosed(Timeout));
        Assert.Contains("concentrator: stopped", daemon.Output, StringComparison.Ordinal);
    }
}
