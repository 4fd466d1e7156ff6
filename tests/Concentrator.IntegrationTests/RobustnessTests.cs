using System.Diagnostics;
using System.Net.Sockets;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests;

/// <summary>Hostile or unlucky clients: requests that are never read, settings changed while a device drops.</summary>
public sealed class RobustnessTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const byte Iac = 255, Sb = 250, Se = 240, Ayt = 246, ComPort = 44;

    private static long RssKiB(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData("telnet")]
    [InlineData("rfc2217")]
    public void A_client_flooding_requests_without_reading_the_answers_cannot_grow_the_daemon(string protocol)
    {
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.f { device = "sim:echo", listeners = [ { port = {{tcp}}, protocol = {{protocol}} } ] }
            """));
        daemon.WaitOnline("f");
        var rssBefore = RssKiB(daemon.ProcessId);

        // Each request asks for an answer: AYT (telnet) or a baud-rate query (RFC 2217). The client never reads.
        byte[] request = protocol == "telnet" ? [Iac, Ayt] : [Iac, Sb, ComPort, 1, 0, 0, 0, 0, Iac, Se];
        var block = Enumerable.Repeat(request, 64 * 1024 / request.Length).SelectMany(r => r).ToArray();
        using var flooder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        flooder.Connect("127.0.0.1", tcp);
        flooder.SendTimeout = 2000;
        long sent = 0;
        var watch = Stopwatch.StartNew();
        try
        {
            while (sent < 64L * 1024 * 1024 && watch.Elapsed < TimeSpan.FromSeconds(20))
            {
                sent += flooder.Send(block);
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            // The daemon stopped reading us: exactly what should happen.
        }

        // Kernel socket buffers on both sides hold a few MB; the daemon itself must have stopped reading soon after.
        Assert.True(sent < 16L * 1024 * 1024, $"the daemon kept reading {sent} bytes of requests nobody collected the answers of");
        // Unbounded, 64 MB of requests grew the daemon by close to a gigabyte; what remains is garbage-collector slack.
        var grown = RssKiB(daemon.ProcessId) - rssBefore;
        Assert.True(grown < 150 * 1024, $"daemon RSS grew by {grown} KiB");

        // Everyone else is fine.
        using var other = TcpClientSession.Connect(tcp);
        daemon.WaitFor("session 2 on port f: .* connected");
        Assert.False(daemon.HasExited);
    }

    [Fact]
    public async Task Every_rfc2217_request_is_answered_even_when_the_device_drops_in_the_middle()
    {
        var device = Track(VirtualSerialDevice.CreateTemp("drop"));
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.d {
              device = "{{device.LinkPath}}"
              reopen { min-backoff = 20ms, max-backoff = 100ms }
              listeners = [ { port = {{tcp}}, protocol = rfc2217 } ]
            }
            """));
        daemon.WaitOnline("d");

        const int Requests = 300;
        var clients = Enumerable.Range(0, 4).Select(_ => Track(TcpClientSession.Connect(tcp))).ToArray();
        daemon.WaitFor("session 4 on port d: .* connected");
        var senders = clients.Select((c, n) => Task.Run(() =>
        {
            for (var i = 0; i < Requests; i++)
            {
                var rate = i % 2 == 0 ? 9600 + n : 19200 + n;
                c.Send([Iac, Sb, ComPort, 1, (byte)(rate >> 24), (byte)(rate >> 16), (byte)(rate >> 8), (byte)rate, Iac, Se]);
            }
        })).ToArray();

        // The behaviour under test: the device drops while the requests stream in (the pauses place the drops).
        for (var cycle = 0; cycle < 3; cycle++)
        {
            Thread.Sleep(30);
            device.Unplug();
            Thread.Sleep(30);
            device.Replug();
        }

        await Task.WhenAll(senders).WaitAsync(Timeout);
        foreach (var client in clients)
        {
            // Every SET-BAUDRATE gets exactly one 101 reply: none is lost when the device drops mid-change.
            var replies = 0;
            var deadline = DateTime.UtcNow + Timeout;
            while (replies < Requests && DateTime.UtcNow < deadline)
            {
                client.ReadUntil("\u00ff\u00fa\u002c\u0065", Timeout); // IAC SB 44 101
                replies++;
            }

            Assert.Equal(Requests, replies);
        }

        // ... and no more than one. The sentinel: a SET-LINESTATE-MASK, answered (110) in order after every command
        // before it; no further SET-BAUDRATE answer may come before that answer.
        foreach (var client in clients)
        {
            client.Send([Iac, Sb, ComPort, 10, 0, Iac, Se]);
            var upToSentinel = client.ReadUntil("\u00ff\u00fa\u002c\u006e", Timeout); // IAC SB 44 110
            Assert.DoesNotContain("\u00ff\u00fa\u002c\u0065", upToSentinel, StringComparison.Ordinal);
        }
    }
}
