using System.Net;
using Concentrator.IntegrationTests.Management;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Upstream;

/// <summary>
/// A BMC's Serial-over-LAN shared: one upstream SOL session (the real ipmitool, run by an exec: port, against OpenIPMI's
/// ipmi_sim), two viewers at once, one of them writing; and the same BMC's chassis power switched through the port's
/// power = ipmi { ... } (ipmi_sim hands power to a script the test owns, so every change is observed).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class IpmiSolTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Two_viewers_share_one_sol_session_one_writes_and_chassis_power_goes_through_ipmi()
    {
        var bmc = Track(BmcSimulator.Start());
        var writer = FreeTcpPort.Next();
        var viewer = FreeTcpPort.Next();
        var argv = CommandWordsJoin(["/usr/bin/ipmitool", .. bmc.IpmitoolArgs, "sol", "activate"]);
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.api.allow-anonymous-actions = on
            concentrator.ports.node7 {
              device = "exec:{{argv}}"
              reopen { min-backoff = 500ms, max-backoff = 2s }
              listeners = [ { port = {{writer}}, protocol = raw }, { port = {{viewer}}, protocol = raw, access = read-only } ]
              power { ipmi { host = "127.0.0.1", port = {{bmc.Port}}, user = "{{BmcSimulator.User}}", password-file = "{{bmc.PasswordFile}}", cipher-suite = 3 } }
            }
            """));
        daemon.WaitOnline("node7");
        using var one = TcpClientSession.Connect(writer);
        using var two = TcpClientSession.Connect(viewer);

        // SOL is up once a line the machine prints reaches a viewer (ipmitool's activation takes a moment).
        var attempt = 0;
        Eventually.True(() =>
        {
            bmc.Sol.Write($"probe {++attempt}\r\n");
            try
            {
                one.ReadUntil($"probe {attempt}\r\n", TimeSpan.FromMilliseconds(500));
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }, Timeout, () => $"no SOL output reached the port; ipmi_sim: {bmc.Output}; daemon: {daemon.Output}");

        // Both viewers see the machine's console through the one SOL session.
        bmc.Sol.Write("login: \r\n");
        one.ReadUntil("login: ", Timeout);
        two.ReadUntil("login: ", Timeout);

        // The read-only viewer's keys never reach the machine; the writer's do (its "sentinel" comes after).
        two.Send("from the viewer\r");
        one.Send("root\r");
        one.Send("sentinel\r");
        var typed = bmc.Sol.ReadUntil("sentinel", Timeout);
        Assert.Contains("root", typed, StringComparison.Ordinal);
        Assert.DoesNotContain("from the viewer", typed, StringComparison.Ordinal);

        // Chassis power through ipmitool -f (the password never on a command line): on, status, off, cycle.
        using var api = new ApiHttp(daemon.ApiUrl);
        async Task<System.Text.Json.JsonElement> Power(string action)
        {
            var reply = await api.PostAsync("/api/ports/node7/power", $$"""{"action":"{{action}}"}""");
            Assert.Equal(HttpStatusCode.OK, reply.Status);
            Assert.True(reply.Json.GetProperty("ok").GetBoolean(), reply.Text);
            return reply.Json;
        }

        await Power("on");
        Assert.Contains("Chassis Power is on", (await Power("status")).GetProperty("output").GetString(), StringComparison.Ordinal);
        await Power("off");
        Assert.Contains("Chassis Power is off", (await Power("status")).GetProperty("output").GetString(), StringComparison.Ordinal);
        await Power("cycle"); // ipmi_sim powers off, then on a second later
        await Eventually.TrueAsync(() => bmc.PowerChanges.Length >= 4, Timeout, () => string.Join(", ", bmc.PowerChanges));
        Assert.Equal(["power 1", "power 0", "power 0", "power 1"], bmc.PowerChanges);
        Assert.DoesNotContain(File.ReadAllText(bmc.PasswordFile), daemon.Output, StringComparison.Ordinal);

        // The SOL session is still shared after all that.
        bmc.Sol.Write("still here\r\n");
        one.ReadUntil("still here", Timeout);
        two.ReadUntil("still here", Timeout);
    }

    [Fact]
    public async Task A_bmc_refusing_the_password_degrades_only_its_port_and_the_port_view_says_why()
    {
        var bmc = Track(BmcSimulator.Start());
        var wrong = Path.Combine(Track(new TempDirectory("bmc-wrong")).FullName, "wrong.pw");
        File.WriteAllText(wrong, "not-the-password");
        File.SetUnixFileMode(wrong, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var args = bmc.IpmitoolArgs.Select(a => a == bmc.PasswordFile ? wrong : a);
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports {
              node7 { device = "exec:{{CommandWordsJoin(["/usr/bin/ipmitool", .. args, "sol", "activate"])}}", listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
              fine { device = "sim:echo", listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
            }
            """));
        daemon.WaitOnline("fine");
        using var api = new ApiHttp(daemon.ApiUrl);
        string Detail() => api.GetAsync("/api/ports/node7").Result.Json.GetProperty("stateDetail").GetString() ?? "";
        var seen = "";
        await Eventually.TrueAsync(() => (seen = Detail()).StartsWith("program ipmitool exited with status 1: ", StringComparison.Ordinal), Timeout,
            () => $"port view: {seen}; daemon: {daemon.Output}");
        Assert.Contains("RMCP+", seen, StringComparison.Ordinal); // ipmitool's own words for the refused session
        Assert.Equal("online", (await api.GetAsync("/api/ports/fine")).Json.GetProperty("state").GetString());
    }

    private static string CommandWordsJoin(IEnumerable<string> words) => Concentrator.Devices.CommandWords.Join(words);
}
