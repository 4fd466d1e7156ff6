using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Migration;

/// <summary>concentrator.mdns = on against the real avahi-daemon, seen with the real avahi-browse.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MdnsTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static string Config(int rfc2217, int telnet, string extraPort = "") => $$"""
        concentrator.mdns { enabled = on, interval = 1s }
        concentrator.ports {
          lab-1 {
            device = "sim:echo"
            tags = [arm, rack-a]
            listeners = [ { port = {{rfc2217}}, protocol = rfc2217 }, { port = {{telnet}}, protocol = telnet, access = read-only } ]
          }
          {{extraPort}}
        }
        """;

    [Fact]
    public void Listeners_are_announced_with_their_txt_records_follow_reloads_and_come_back_after_avahi_restarts()
    {
        using var avahi = new AvahiBus();
        var (rfc2217, telnet, raw) = (FreeTcpPort.Next(), FreeTcpPort.Next(), FreeTcpPort.Next());
        var daemon = Track(DaemonProcess.Start(Config(rfc2217, telnet), avahi.Environment, null));
        daemon.WaitOnline("lab-1");

        IReadOnlyList<(string Type, string Name, int Port, string Txt)> services = [];
        Eventually.True(() => (services = avahi.Browse()).Count >= 2, Timeout, () => $"both listeners announced: {string.Join("; ", services)}");
        var rfc = Assert.Single(services, s => s.Type == "_rfc2217._tcp");
        Assert.StartsWith("lab-1 on ", rfc.Name, StringComparison.Ordinal);
        Assert.Equal(rfc2217, rfc.Port);
        Assert.Contains("\"port=lab-1\"", rfc.Txt, StringComparison.Ordinal);
        Assert.Contains("\"tags=arm,rack-a\"", rfc.Txt, StringComparison.Ordinal);
        Assert.Contains("\"protocol=rfc2217\"", rfc.Txt, StringComparison.Ordinal);
        Assert.Contains("\"device=sim:echo\"", rfc.Txt, StringComparison.Ordinal);
        var monitor = Assert.Single(services, s => s.Type == "_telnet._tcp");
        Assert.Equal(telnet, monitor.Port);
        Assert.Contains("\"access=read-only\"", monitor.Txt, StringComparison.Ordinal);

        // A reload that adds a port announces it.
        daemon.RewriteConfig(Config(rfc2217, telnet, $$"""lab-2 { device = "sim:echo", listeners = [ { port = {{raw}}, protocol = raw } ] }"""));
        daemon.Hangup();
        Eventually.True(() => avahi.Browse().Any(s => s.Type == "_raw-serial._tcp" && s.Port == raw && s.Name.StartsWith("lab-2 on ", StringComparison.Ordinal)),
            Timeout, () => "the reloaded port is announced");

        // avahi-daemon restarts (an upgrade): everything is announced again.
        avahi.StopAvahi();
        avahi.StartAvahi();
        Eventually.True(() => avahi.Browse().Count == 3, Timeout, () => "announced again after avahi-daemon came back");

        // The daemon stops: its services are withdrawn at once (a complete listing without them).
        Assert.Equal(0, daemon.Terminate(Timeout));
        Eventually.True(() => avahi.Browse().Count == 0, Timeout, () => "withdrawn when the daemon stops");
    }
}
