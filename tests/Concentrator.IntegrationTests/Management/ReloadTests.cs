using System.Net;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Management;

/// <summary>Reload through the API, SIGHUP and the CLI: sessions of kept ports keep flowing, byte-exact; a bad config changes nothing.</summary>
public sealed class ReloadTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static string Config(string keepDevice, int keepTcp, string changeDevice, int changeTcp, string banner, string? extra) => $$"""
        concentrator {
          ports {
            keep { device = "{{keepDevice}}", listeners = [ { port = {{keepTcp}}, protocol = raw, output-queue = 16MiB } ] }
            change { device = "{{changeDevice}}", banner = "{{banner}}", listeners = [ { port = {{changeTcp}}, protocol = raw, output-queue = 16MiB } ] }
            {{extra}}
          }
          api.allow-anonymous-actions = on
        }
        """;

    [Fact]
    public async Task Reload_keeps_sessions_of_unchanged_and_changed_ports_flowing_and_closes_removed_ones()
    {
        var keepDevice = Track(VirtualSerialDevice.CreateTemp("keep"));
        var changeDevice = Track(VirtualSerialDevice.CreateTemp("change"));
        int keepTcp = FreeTcpPort.Next(), changeTcp = FreeTcpPort.Next(), goneTcp = FreeTcpPort.Next(), addedTcp = FreeTcpPort.Next();
        var gonePort = $"gone {{ device = \"sim:echo\", listeners = [ {{ port = {goneTcp}, protocol = raw }} ] }}";
        var daemon = Track(DaemonProcess.Start(Config(keepDevice.LinkPath, keepTcp, changeDevice.LinkPath, changeTcp, "old banner", gonePort)));
        daemon.WaitOnline("keep", "change", "gone");
        var api = Track(new ApiHttp(daemon.ApiUrl));
        var keep = Track(TcpClientSession.Connect(keepTcp));
        var change = Track(TcpClientSession.Connect(changeTcp));
        var gone = Track(TcpClientSession.Connect(goneTcp));
        daemon.WaitFor("session 1 on port gone: .* connected");
        daemon.WaitFor("session 1 on port keep: .* connected");
        daemon.WaitFor("session 1 on port change: .* connected");

        // Device output streams to both sessions while the reload happens.
        const int size = 512 * 1024;
        var toKeep = RandomBytes(size, 1);
        var toChange = RandomBytes(size, 2);
        var atKeep = Task.Run(() => keep.ReadExactly(size, Timeout));
        var atChange = Task.Run(() => change.ReadExactly(size, Timeout));
        var printing = Task.Run(() =>
        {
            for (var i = 0; i < size; i += 4096)
            {
                keepDevice.Write(toKeep.AsSpan(i, 4096));
                changeDevice.Write(toChange.AsSpan(i, 4096));
            }
        });

        daemon.RewriteConfig(Config(keepDevice.LinkPath, keepTcp, changeDevice.LinkPath, changeTcp, "new banner",
            $"added {{ device = \"sim:echo\", listeners = [ {{ port = {addedTcp}, protocol = raw }} ] }}"));
        var reply = await api.PostAsync("/api/reload");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var json = reply.Json;
        Assert.Equal(["added"], json.GetProperty("added").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["gone"], json.GetProperty("removed").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["change (banner)"], json.GetProperty("changed").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["keep"], json.GetProperty("unchanged").EnumerateArray().Select(e => e.GetString()));

        await printing;
        Assert.Equal(toKeep, await atKeep);
        Assert.Equal(toChange, await atChange);
        Assert.True(gone.WaitClosed(Timeout), "the removed port's session is closed");

        // Both kept sessions still write to their devices, byte-exact.
        var fromKeep = RandomBytes(64 * 1024, 3);
        var fromChange = RandomBytes(64 * 1024, 4);
        var atKeepDevice = keepDevice.ReadExactlyAsync(fromKeep.Length, Timeout);
        var atChangeDevice = changeDevice.ReadExactlyAsync(fromChange.Length, Timeout);
        await Task.WhenAll(keep.SendAsync(fromKeep), change.SendAsync(fromChange));
        Assert.Equal(fromKeep, await atKeepDevice);
        Assert.Equal(fromChange, await atChangeDevice);

        // The added port serves; the list shows the new set of ports.
        daemon.WaitOnline("added");
        var names = (await api.GetAsync("/api/ports")).Json.EnumerateArray().Select(p => p.GetProperty("name").GetString());
        Assert.Equal(["added", "change", "keep"], names);
        Assert.Single((await api.GetAsync("/api/ports/keep")).Json.GetProperty("sessions").EnumerateArray());
    }

    [Fact]
    public async Task A_broken_config_is_a_400_listing_every_problem_and_changes_nothing()
    {
        var device = Track(VirtualSerialDevice.CreateTemp("broken"));
        int tcp = FreeTcpPort.Next(), other = FreeTcpPort.Next();
        var good = Config(device.LinkPath, tcp, "sim:echo", other, "b", null);
        var daemon = Track(DaemonProcess.Start(good));
        daemon.WaitOnline("keep", "change");
        var api = Track(new ApiHttp(daemon.ApiUrl));
        var client = Track(TcpClientSession.Connect(tcp));
        daemon.WaitFor("session 1 on port keep: .* connected");

        daemon.RewriteConfig(good.Replace("protocol = raw, output", "protocol = raw, bogus-key = 1, output", StringComparison.Ordinal)
            .Replace("banner = \"b\"", "banner = \"b\", baud = 0", StringComparison.Ordinal));
        var reply = await api.PostAsync("/api/reload");
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("application/problem+json", reply.ContentType);
        var problems = reply.Json.GetProperty("problems").EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.Contains(problems, p => p.Contains("key 'listeners[0].bogus-key'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("key 'baud' = '0'", StringComparison.Ordinal));
        daemon.WaitFor("reload by loopback refused, nothing changed");

        // Nothing changed: same ports, the session is still there and still carries bytes.
        var ports = (await api.GetAsync("/api/ports")).Json.EnumerateArray().Select(p => p.GetProperty("name").GetString());
        Assert.Equal(["change", "keep"], ports);
        client.Send("still here");
        Assert.Equal("still here"u8.ToArray(), device.ReadExactly(10, Timeout));
    }

    [Fact]
    public void Sighup_and_the_reload_verb_reload_the_config()
    {
        var device = Track(VirtualSerialDevice.CreateTemp("hup"));
        int tcp = FreeTcpPort.Next(), other = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start(Config(device.LinkPath, tcp, "sim:echo", other, "one", null)));
        daemon.WaitOnline("keep", "change");
        var client = Track(TcpClientSession.Connect(tcp));
        daemon.WaitFor("session 1 on port keep: .* connected");

        daemon.RewriteConfig(Config(device.LinkPath, tcp, "sim:echo", other, "two", null));
        daemon.Hangup();
        daemon.WaitFor("reload by SIGHUP: 0 added, 0 removed, 1 changed, 1 unchanged");
        Assert.False(daemon.HasExited);

        daemon.RewriteConfig(Config(device.LinkPath, tcp, "sim:echo", other, "three", null));
        var (exit, stdout, stderr) = Cli.Run("reload", "--api", daemon.ApiUrl.ToString());
        Assert.True(exit == 0, stderr);
        Assert.Contains("reloaded: 0 added, 0 removed, 1 changed (change (banner)), 1 unchanged", stdout, StringComparison.Ordinal);

        daemon.RewriteConfig("concentrator.ports.keep { device = \"sim:echo\", baud = 0, listeners = [] }");
        (exit, _, stderr) = Cli.Run("reload", "--api", daemon.ApiUrl.ToString());
        Assert.Equal(2, exit);
        Assert.Contains("key 'baud' = '0'", stderr, StringComparison.Ordinal);

        client.Send("x");
        Assert.Equal("x"u8.ToArray(), device.ReadExactly(1, Timeout));
    }

    private static byte[] RandomBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
