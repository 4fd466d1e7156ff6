using System.Text;
using Xunit.Abstractions;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests;

/// <summary>
/// Hostile or broken clients on telnet and RFC 2217 listeners: random bytes and a multi-megabyte unterminated
/// subnegotiation. The session, the daemon and the other sessions of the port must survive with bounded memory.
/// </summary>
public sealed class ProtocolGarbageTests(ITestOutputHelper output) : IntegrationTest
{
    private const byte Iac = 255, Sb = 250, Se = 240, Brk = 243, Nop = 241;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static long RssKiB(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException("no VmRSS");
    }

    /// <summary>Everything the device receives, collected on a background thread so a flood never blocks the daemon.</summary>
    private sealed class DeviceDrain : IDisposable
    {
        private readonly VirtualSerialDevice _device;
        private readonly List<byte> _received = [];
        private readonly Lock _gate = new();
        private readonly Thread _thread;
        private volatile bool _stop;

        public DeviceDrain(VirtualSerialDevice device)
        {
            _device = device;
            _thread = new Thread(Run) { IsBackground = true };
            _thread.Start();
        }

        private void Run()
        {
            while (!_stop)
            {
                var chunk = _device.ReadAvailable(TimeSpan.FromMilliseconds(100));
                lock (_gate)
                {
                    _received.AddRange(chunk);
                }
            }
        }

        public bool Contains(string marker)
        {
            var bytes = Encoding.ASCII.GetBytes(marker);
            lock (_gate)
            {
                return CollectionsMarshalIndexOf(bytes) >= 0;
            }
        }

        private int CollectionsMarshalIndexOf(byte[] needle) =>
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_received).IndexOf(needle);

        public Task WaitFor(string marker, TimeSpan timeout) =>
            Eventually.TrueAsync(() => Contains(marker), timeout, () => $"the device never received '{marker}'");

        public void Dispose()
        {
            _stop = true;
            _thread.Join(TimeSpan.FromSeconds(2));
        }
    }

    /// <summary>A client that floods and throws away whatever the server answers.</summary>
    private static Task DiscardReplies(TcpClientSession client) => Task.Run(async () =>
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (await client.Socket.ReceiveAsync(buffer) > 0)
            {
            }
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
        {
        }
    });

    private static async Task Flood(TcpClientSession client, int seed, string marker)
    {
        var random = new Random(seed);
        var noise = new byte[1024 * 1024];
        random.NextBytes(noise);
        for (var j = 0; j + 1 < noise.Length; j++)
        {
            // IAC BRK is a legitimate command worth a 250 ms break on the line each (16 per MiB): keep the test fast.
            if (noise[j] == Iac && noise[j + 1] == Brk)
            {
                noise[j + 1] = Nop;
            }
        }

        await client.SendAsync(noise);

        // An unterminated SET-BAUDRATE of 8 MiB: no IAC inside, so nothing ends it until our IAC SE.
        await client.SendAsync([Iac, Sb, 44, 1]);
        var filler = new byte[1024 * 1024];
        for (var i = 0; i < 8; i++)
        {
            random.NextBytes(filler);
            for (var j = 0; j < filler.Length; j++)
            {
                if (filler[j] == Iac)
                {
                    filler[j] = 0x55;
                }
            }

            await client.SendAsync(filler);
        }

        // IAC SE ends it; the session is back in data mode and the marker reaches the device.
        await client.SendAsync([Iac, Se, .. Encoding.ASCII.GetBytes(marker)]);
    }

    [Fact]
    public async Task Random_bytes_and_a_huge_unterminated_subnegotiation_crash_nothing_and_do_not_grow_memory()
    {
        var device = Track(VirtualSerialDevice.CreateTemp("garbage"));
        int telnetPort = FreeTcpPort.Next(), rfcPort = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.g {
              device = "{{device.LinkPath}}"
              baud = 115200
              listeners = [ { port = {{telnetPort}}, protocol = telnet }, { port = {{rfcPort}}, protocol = rfc2217 } ]
            }
            """));
        daemon.WaitOnline("g");
        var drain = Track(new DeviceDrain(device));

        var telnetWitness = Track(TcpClientSession.Connect(telnetPort));
        var rfcWitness = Track(TcpClientSession.Connect(rfcPort));
        daemon.WaitFor("session 2 on port g");
        // The baseline is taken once both sessions are settled: bytes have gone through each of them both ways.
        device.Write("settled\r\n");
        telnetWitness.ReadUntil("settled", Timeout);
        rfcWitness.ReadUntil("settled", Timeout);
        telnetWitness.Send("telnet-witness-settled");
        rfcWitness.Send("rfc-witness-settled");
        await drain.WaitFor("telnet-witness-settled", Timeout);
        await drain.WaitFor("rfc-witness-settled", Timeout);
        var rssBefore = RssKiB(daemon.ProcessId);

        var telnetGarbage = Track(TcpClientSession.Connect(telnetPort));
        var rfcGarbage = Track(TcpClientSession.Connect(rfcPort));
        var discards = new[] { DiscardReplies(telnetGarbage), DiscardReplies(rfcGarbage) };
        await Task.WhenAll(Flood(telnetGarbage, 1, "ALIVE-TELNET-5f1c"), Flood(rfcGarbage, 2, "ALIVE-RFC2217-9e4d"));

        // The flooding sessions themselves survived and resynchronised.
        await drain.WaitFor("ALIVE-TELNET-5f1c", Timeout);
        await drain.WaitFor("ALIVE-RFC2217-9e4d", Timeout);
        Assert.False(daemon.HasExited, daemon.Output);

        // The other sessions on the port still work both ways.
        device.Write("still-here\r\n");
        telnetWitness.ReadUntil("still-here", Timeout);
        rfcWitness.ReadUntil("still-here", Timeout);
        telnetWitness.Send("from-telnet-witness");
        rfcWitness.Send("from-rfc-witness");
        await drain.WaitFor("from-telnet-witness", Timeout);
        await drain.WaitFor("from-rfc-witness", Timeout);

        // New sessions are accepted.
        var late = Track(TcpClientSession.Connect(rfcPort));
        daemon.WaitFor("session 5 on port g: .* connected"); // witnesses 1-2, flooders 3-4
        device.Write("late-joiner\r\n");
        late.ReadUntil("late-joiner", Timeout);

        var rssAfter = RssKiB(daemon.ProcessId);
        output.WriteLine($"daemon RSS {rssBefore} KiB before, {rssAfter} KiB after");
        Assert.True(rssAfter - rssBefore < 50 * 1024, $"RSS grew from {rssBefore} KiB to {rssAfter} KiB");
        Assert.DoesNotContain("a child failed", daemon.Output, StringComparison.Ordinal);
        Assert.False(daemon.HasExited, daemon.Output);

        telnetGarbage.Dispose();
        rfcGarbage.Dispose();
        await Task.WhenAll(discards).WaitAsync(Timeout);
    }
}
