using System.Net.Sockets;
using System.Text.RegularExpressions;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Security;

/// <summary>
/// Source filters and the daemon-wide per-source limits: a flood from one loopback address, bounded in count and time,
/// neither takes service from another address nor grows the daemon's file descriptors or memory; refusals are logged
/// once per source per interval.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AbuseTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static int OpenFds(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;

    private static long RssKiB(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Deny_wins_over_allow_and_a_refused_source_is_closed_at_accept_before_any_session()
    {
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.f {
              device = "sim:echo"
              listeners = [ { port = {{tcp}}, protocol = telnet, allow = ["127.0.0.0/8", "::1/128"], deny = ["127.0.0.2/32", "127.0.9.0/24"] } ]
            }
            """));
        daemon.WaitOnline("f");

        foreach (var source in new[] { "127.0.0.2", "127.0.9.9" })
        {
            using var denied = SourceAddressedClient.Connect(source, tcp);
            Assert.True(SourceAddressedClient.ClosedWithoutData(denied, Timeout));
        }

        daemon.WaitFor("refused 127.0.0.2: denied by 127.0.0.2/32");
        daemon.WaitFor("refused 127.0.9.9: denied by 127.0.9.0/24");
        Assert.DoesNotMatch("connection on port f: 127.0.0.2|session \\d+ on port f: 127.0.0.2", daemon.Output);

        using var allowed = TcpClientSession.ConnectFrom("127.0.0.3", tcp);
        allowed.Send("allowed\r");
        allowed.ReadUntil("allowed", Timeout);
    }

    [Fact]
    public void A_connection_flood_from_one_source_leaves_other_sources_served_and_the_daemon_bounded()
    {
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.security { max-connections-per-source = 8, accept-rate-per-source = 50, handshake-timeout = 2s }
            concentrator.ports.f { device = "sim:echo", max-sessions = 1000, listeners = [ { port = {{tcp}}, protocol = raw } ] }
            """));
        daemon.WaitOnline("f");
        using var before = TcpClientSession.ConnectFrom("127.0.0.1", tcp); // warms the accept path up
        before.Send("warm");
        before.ReadExactly(4, Timeout);
        var fdsBefore = OpenFds(daemon.ProcessId);
        var rssBefore = RssKiB(daemon.ProcessId);

        // The flood: up to 2000 connections from 127.0.0.66 within 8 s, every one kept open by the flooder.
        var flood = new List<Socket>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(8);
        try
        {
            for (var i = 0; i < 2000 && DateTime.UtcNow < deadline; i++)
            {
                try
                {
                    flood.Add(SourceAddressedClient.Connect("127.0.0.66", tcp));
                }
                catch (SocketException)
                {
                    // a full backlog may refuse a SYN now and then: the flood goes on
                }

                if (i == 1000)
                {
                    // In the middle of it, another source connects and is served at once.
                    using var other = TcpClientSession.ConnectFrom("127.0.0.77", tcp);
                    other.Send("served during the flood");
                    Assert.Equal("served during the flood", System.Text.Encoding.ASCII.GetString(other.ReadExactly(23, Timeout)));
                }
            }

            Assert.True(flood.Count > 500, $"the flood opened only {flood.Count} connections");
            // At most max-connections-per-source of them hold anything in the daemon.
            Eventually.True(() => OpenFds(daemon.ProcessId) <= fdsBefore + 8 + 4, Timeout,
                () => $"daemon fds {OpenFds(daemon.ProcessId)}, before the flood {fdsBefore}");
            var grown = RssKiB(daemon.ProcessId) - rssBefore;
            Assert.True(grown < 64 * 1024, $"daemon RSS grew by {grown} KiB during the flood");
        }
        finally
        {
            foreach (var socket in flood)
            {
                socket.Dispose();
            }
        }

        // Refusals are logged once per source per interval, not once per connection.
        var refusalLines = Regex.Matches(daemon.Output, "refused 127\\.0\\.0\\.66: ").Count;
        Assert.InRange(refusalLines, 1, 4);
        Assert.False(daemon.HasExited);

        // And once the flood is gone, 127.0.0.66 is an ordinary client again.
        Eventually.True(() =>
        {
            try
            {
                using var back = TcpClientSession.ConnectFrom("127.0.0.66", tcp);
                back.Send("back");
                return System.Text.Encoding.ASCII.GetString(back.ReadExactly(4, TimeSpan.FromSeconds(2))) == "back";
            }
            catch (Exception e) when (e is TimeoutException or IOException or System.Net.Sockets.SocketException)
            {
                return false; // still refused: a reset at accept surfaces as a bare SocketException from Receive
            }
        }, Timeout, () => daemon.Output);
    }
}
