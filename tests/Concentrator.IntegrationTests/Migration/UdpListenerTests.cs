using System.Net;
using System.Net.Sockets;
using System.Text;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Migration;

/// <summary>
/// protocol = udp (ser2net's udp accepter) with real peers: the test's own UDP sockets and socat's UDP client, against
/// a pty device the test drives.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class UdpListenerTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private (DaemonProcess Daemon, VirtualSerialDevice Device, int Port) Serve(string listenerExtras = "", string portExtras = "")
    {
        var dir = Track(new TempDirectory("udp"));
        var device = Track(VirtualSerialDevice.Create(Path.Combine(dir.FullName, "ttyUdp")));
        var port = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.radio {
              device = "{{device.LinkPath}}"
              listeners = [ { port = {{port}}, protocol = udp {{listenerExtras}} } ]
              {{portExtras}}
            }
            """));
        daemon.WaitOnline("radio");
        return (daemon, device, port);
    }

    private static async Task<string> ReceiveUntilAsync(UdpClient client, string expected)
    {
        var text = new StringBuilder();
        using var cancel = new CancellationTokenSource(Timeout);
        while (!text.ToString().Contains(expected, StringComparison.Ordinal))
        {
            var result = await client.ReceiveAsync(cancel.Token);
            text.Append(Encoding.Latin1.GetString(result.Buffer));
        }

        return text.ToString();
    }

    [Fact]
    public async Task A_peer_s_datagrams_reach_the_device_and_the_device_answers_every_admitted_peer()
    {
        var (daemon, device, port) = Serve();
        using var first = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var second = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        first.Connect(IPAddress.Loopback, port);
        second.Connect(IPAddress.Loopback, port);

        await first.SendAsync(Encoding.ASCII.GetBytes("AT\r"));
        device.ReadUntil("AT\r", Timeout);
        daemon.WaitFor(@"127\.0\.0\.1:\d+ connected .*udp");
        await second.SendAsync(Encoding.ASCII.GetBytes("ATI\r"));
        device.ReadUntil("ATI\r", Timeout);
        daemon.Process.WaitFor(@"127\.0\.0\.1:\d+ connected .*udp", Timeout, occurrences: 2);

        // An empty datagram carries nothing and ends nothing: the first peer's next bytes still reach the device, and both
        // peers still get the answer below (an ended session would get none).
        await first.SendAsync(Array.Empty<byte>());
        await first.SendAsync(Encoding.ASCII.GetBytes("ATZ\r"));
        device.ReadUntil("ATZ\r", Timeout);

        // More than one datagram's worth from the device: it arrives whole, in order, at both peers.
        var answer = string.Concat(Enumerable.Range(0, 400).Select(i => $"line {i:D4} OK\r\n"));
        device.Write(answer);
        Assert.EndsWith("line 0399 OK\r\n", await ReceiveUntilAsync(first, "line 0399 OK\r\n"), StringComparison.Ordinal);
        Assert.Equal(answer, await ReceiveUntilAsync(second, "line 0399 OK\r\n"));
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(daemon.Output, @"127\.0\.0\.1:\d+ connected .*udp").Count); // the empty datagram made no new session
    }

    [Fact]
    public async Task A_read_only_udp_listener_watches_and_a_denied_source_gets_nothing()
    {
        var (daemon, device, port) = Serve(", access = read-only, deny = [\"127.0.0.3/32\"]");
        using var watcher = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        watcher.Connect(IPAddress.Loopback, port);
        using var denied = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 0));
        denied.Connect(IPAddress.Loopback, port);

        await watcher.SendAsync(Encoding.ASCII.GetBytes("reboot\r")); // a datagram makes it a peer; a read-only one's bytes go nowhere
        daemon.WaitFor(@"127\.0\.0\.1:\d+ connected .*read-only");
        await denied.SendAsync(Encoding.ASCII.GetBytes("reboot\r"));
        daemon.WaitFor(@"listener udp .* refused 127\.0\.0\.3:\d+");

        device.Write("console output\r\n");
        await ReceiveUntilAsync(watcher, "console output\r\n");
        device.Write("sentinel\r\n"); // the denied peer would have had the console output first: it gets neither
        await ReceiveUntilAsync(watcher, "sentinel\r\n");
        Assert.Equal(0, denied.Available);
        Assert.Equal(0, device.PendingInput); // the read-only peer's "reboot" never reached the device
    }

    [Fact]
    public void Socat_as_a_udp_client_drives_the_console()
    {
        var (_, device, port) = Serve();
        using var socat = RunningProcess.Start("socat", ["-", $"UDP:127.0.0.1:{port}"]);
        socat.Write("hello device\n");
        device.ReadUntil("hello device\n", Timeout);
        device.Write("hello socat\n");
        socat.WaitFor("hello socat", Timeout);
    }

    [Theory]
    [InlineData(", auth = password", "listeners[0].auth", "cannot ask who sends")]
    [InlineData(", overflow = backpressure", "listeners[0].overflow", "cannot be slowed down")]
    public void What_a_datagram_cannot_carry_is_a_config_error(string extras, string key, string problem)
    {
        var (exit, output) = DaemonProcess.Run($$"""
            concentrator.ports.radio {
              device = "sim:echo"
              listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = udp {{extras}} } ]
            }
            """, "--check");

        Assert.NotEqual(0, exit);
        Assert.Contains(key, output, StringComparison.Ordinal);
        Assert.Contains(problem, output, StringComparison.Ordinal);
    }
}
