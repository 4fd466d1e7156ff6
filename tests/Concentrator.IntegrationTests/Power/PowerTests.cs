using System.Net;
using Concentrator.IntegrationTests.Management;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Power;

/// <summary>
/// Power control bound to a port, through argv commands (a script the test owns writes a marker file): the API, the
/// CLI and a session's escape command switch it; a requester that may not write the port (not the lease holder) is
/// refused and nothing runs; every action is in the console log.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // tokens file modes, scripts
public sealed class PowerTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _dir;

    public PowerTests() => _dir = Track(new TempDirectory("power"));

    private string Marker => Path.Combine(_dir.FullName, "marker");

    private string ConsoleLog => Path.Combine(_dir.FullName, "console-lab.log");

    private string TokensFile => Path.Combine(_dir.FullName, "tokens.conf");

    private string AddToken(string name, string role)
    {
        var (exit, stdout, stderr) = Cli.Run("token", "add", name, "--role", role, "--tokens-file", TokensFile);
        Assert.True(exit == 0, stderr);
        return stdout.Trim();
    }

    /// <summary>The fake PDU: appends the action to the marker file and says what it did; "fail" exits 2.</summary>
    private string Script()
    {
        var script = Path.Combine(_dir.FullName, "pdu.sh");
        File.WriteAllText(script, $"#!/bin/sh\necho \"$1\" >> '{Marker}'\n[ \"$1\" = fail ] && {{ echo 'outlet 3 does not answer' >&2; exit 2; }}\necho \"outlet 3 is $1\"\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return script;
    }

    private (DaemonProcess Daemon, ApiHttp Api, int Telnet) Serve()
    {
        var pdu = Script();
        var telnet = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator {
              ports.lab {
                device = "sim:echo"
                listeners = [ { port = {{telnet}}, protocol = telnet } ]
                log { file = "{{ConsoleLog}}", timestamps = off }
                power { on = ["{{pdu}}", "on"], off = ["{{pdu}}", "off"], cycle = ["{{pdu}}", "cycle"], status = ["{{pdu}}", "fail"] }
              }
              api { tokens-file = "{{TokensFile}}", allow-anonymous-actions = off }
            }
            """));
        daemon.WaitOnline("lab");
        return (daemon, Track(new ApiHttp(daemon.ApiUrl)), telnet);
    }

    private string[] MarkerLines => File.Exists(Marker) ? File.ReadAllLines(Marker) : [];

    [Fact]
    public async Task The_api_and_the_cli_switch_the_power_and_a_failing_command_says_so()
    {
        var ops = AddToken("ops", "operate");
        var (daemon, api, _) = Serve();

        var on = await api.SendAsync(HttpMethod.Post, "/api/ports/lab/power", """{"action":"on"}""", ops);
        Assert.Equal(HttpStatusCode.OK, on.Status);
        Assert.Equal("on", on.Json.GetProperty("action").GetString());
        Assert.True(on.Json.GetProperty("ok").GetBoolean());
        Assert.Equal("outlet 3 is on\n", on.Json.GetProperty("output").GetString());
        Assert.Equal(["on"], MarkerLines);

        var cli = Cli.Run(new Dictionary<string, string> { ["CONCENTRATOR_API_TOKEN"] = ops }, "power", "lab", "cycle", "--api", daemon.ApiUrl.ToString());
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        Assert.Contains("power cycle ok", cli.Stdout, StringComparison.Ordinal);
        Assert.Contains("outlet 3 is cycle", cli.Stdout, StringComparison.Ordinal);
        Assert.Equal(["on", "cycle"], MarkerLines);

        // "status" is configured as a command that fails: 200 with ok false and what it printed; the CLI exits 1.
        var failed = await api.SendAsync(HttpMethod.Post, "/api/ports/lab/power", """{"action":"status"}""", ops);
        Assert.Equal(HttpStatusCode.OK, failed.Status);
        Assert.False(failed.Json.GetProperty("ok").GetBoolean());
        Assert.Contains("outlet 3 does not answer", failed.Json.GetProperty("output").GetString(), StringComparison.Ordinal);
        Assert.Contains("exit status 2", failed.Json.GetProperty("output").GetString(), StringComparison.Ordinal);

        var bad = await api.SendAsync(HttpMethod.Post, "/api/ports/lab/power", """{"action":"reboot"}""", ops);
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.SendAsync(HttpMethod.Post, "/api/ports/nope/power", """{"action":"on"}""", ops)).Status);

        // Every action and its outcome are in the console log, with who asked.
        await Eventually.TrueAsync(() => File.Exists(ConsoleLog) && File.ReadAllText(ConsoleLog).Contains("power cycle by api token ops: ok", StringComparison.Ordinal),
            Timeout, () => File.Exists(ConsoleLog) ? File.ReadAllText(ConsoleLog) : "no console log");
        daemon.WaitFor("port lab: power on by api token ops: ok");
    }

    [Fact]
    public async Task Only_the_lease_holder_switches_a_leased_port_a_non_holder_is_refused_and_nothing_runs()
    {
        var ops = AddToken("ops", "operate");
        var admin = AddToken("root", "admin");
        var (daemon, api, _) = Serve();
        var lease = await api.SendAsync(HttpMethod.Post, "/api/leases", """{"port":"lab","ttl":"10m","holder":"alice"}""", admin);
        Assert.Equal(HttpStatusCode.Created, lease.Status);

        var refused = await api.SendAsync(HttpMethod.Post, "/api/ports/lab/power", """{"action":"off"}""", ops);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains("leased to alice", refused.Detail, StringComparison.Ordinal);
        var cli = Cli.Run(new Dictionary<string, string> { ["CONCENTRATOR_API_TOKEN"] = ops }, "power", "lab", "off", "--api", daemon.ApiUrl.ToString());
        Assert.NotEqual(0, cli.ExitCode);
        Assert.Contains("leased to alice", cli.Stderr, StringComparison.Ordinal);

        // An admin still may; it is the sentinel: its "on" is the first and only line the script ever wrote.
        var byAdmin = await api.SendAsync(HttpMethod.Post, "/api/ports/lab/power", """{"action":"on"}""", admin);
        Assert.Equal(HttpStatusCode.OK, byAdmin.Status);
        Assert.Equal(["on"], MarkerLines);
        daemon.WaitFor("port lab: refused an action of api token ops");
    }

    [Fact]
    public void A_session_switches_the_power_with_the_escape_p_then_the_action()
    {
        AddToken("root", "admin"); // the daemon wants its tokens file; the session needs none
        var (_, _, telnet) = Serve();
        using var session = TcpClientSession.Connect(telnet);

        session.Send("\x05" + "cp1");
        session.ReadUntil("power on: ok: outlet 3 is on", Timeout);
        session.Send("\x05" + "cpc");
        session.ReadUntil("power cycle: ok: outlet 3 is cycle", Timeout);
        session.Send("\x05" + "cpx");
        session.ReadUntil("after p type 1 (on), 0 (off), c (cycle) or s (status)", Timeout);
        Assert.Equal(["on", "cycle"], MarkerLines);
    }
}
