using System.Net;
using Concentrator.IntegrationTests.Management;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Automation;

/// <summary>
/// Power-cycle and expect the boot in one call: POST expect with <c>power = cycle</c> takes the offset, switches the
/// port's power (a script the test owns, as a PDU), then waits. The board (a pty the test drives) boots only once the
/// PDU was told to cycle, so a match proves the order; a prompt printed before the call is never the answer.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PowerThenExpectTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>An operate token (switching power is an action) in a tokens file the daemon reads.</summary>
    private static (string File, string Token) OperateToken(TempDirectory dir)
    {
        var file = Path.Combine(dir.FullName, "tokens.conf");
        var (exit, stdout, stderr) = Cli.Run("token", "add", "ci", "--role", "operate", "--tokens-file", file);
        Assert.True(exit == 0, stderr);
        return (file, stdout.Trim());
    }

    [Fact]
    public async Task Expect_with_power_cycle_sees_the_boot_that_follows_the_cycle_and_only_that()
    {
        var dir = Track(new TempDirectory("power-expect"));
        var marker = Path.Combine(dir.FullName, "marker");
        var pdu = Path.Combine(dir.FullName, "pdu.sh");
        File.WriteAllText(pdu, $"#!/bin/sh\necho \"$1\" >> '{marker}'\necho \"outlet 1 is $1\"\n");
        File.SetUnixFileMode(pdu, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var board = VirtualSerialDevice.Create(Path.Combine(dir.FullName, "ttyBoard"));
        var (tokens, token) = OperateToken(dir);
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.api.tokens-file = "{{tokens}}"
            concentrator.ports.board {
              device = "{{board.LinkPath}}"
              listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ]
              power { on = ["{{pdu}}", "on"], off = ["{{pdu}}", "off"], cycle = ["{{pdu}}", "cycle"] }
            }
            """));
        daemon.WaitOnline("board");
        using var api = new ApiHttp(daemon.ApiUrl, token);
        board.Write("stale login: "); // before the call: never the answer
        await Eventually.TrueAsync(async () => (await api.GetAsync("/api/ports/board")).Json.GetProperty("counters").GetProperty("bytesFromDevice").GetInt64() == 13,
            Timeout, () => "the port read the stale prompt");

        var call = api.SendAsync(HttpMethod.Post, "/api/ports/board/expect",
            """{"power": "cycle", "pattern": "(?<host>\\w+) login: ", "timeout": "20s"}""");
        Eventually.True(() => File.Exists(marker) && File.ReadAllText(marker) == "cycle\n", Timeout, () => "the PDU was told to cycle");
        board.Write("U-Boot 2026.01\r\nStarting kernel ...\r\nrack7 login: ");
        var answer = await call;

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("rack7 login: ", answer.Json.GetProperty("match").GetString());
        Assert.Contains("U-Boot 2026.01", answer.Json.GetProperty("transcript").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("stale", answer.Json.GetProperty("transcript").GetString(), StringComparison.Ordinal);

        // The switch is in the audit trail like every action, with who asked and how it ended.
        Eventually.True(() => File.ReadAllLines(daemon.AuditFile!).Any(l => l.Contains("\"action\":\"power\"", StringComparison.Ordinal)
                && l.Contains("\"outcome\":\"ok\"", StringComparison.Ordinal) && l.Contains("\"power\":\"cycle\"", StringComparison.Ordinal)
                && l.Contains("\"port\":\"board\"", StringComparison.Ordinal) && l.Contains("\"principal\":\"api token ci\"", StringComparison.Ordinal)),
            Timeout, () => "power cycle audited: " + File.ReadAllText(daemon.AuditFile!));
    }

    [Fact]
    public async Task A_port_without_power_control_answers_409_and_a_bad_action_400()
    {
        var (tokens, token) = OperateToken(Track(new TempDirectory("power-expect")));
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.api.tokens-file = "{{tokens}}"
            concentrator.ports.plain { device = "sim:echo", listeners = [ { port = {{FreeTcpPort.Next()}} } ] }
            """));
        daemon.WaitOnline("plain");
        using var api = new ApiHttp(daemon.ApiUrl, token);

        var none = await api.SendAsync(HttpMethod.Post, "/api/ports/plain/expect", """{"power": "cycle", "pattern": "x", "timeout": "1s"}""");
        Assert.Equal(HttpStatusCode.Conflict, none.Status);
        var bad = await api.SendAsync(HttpMethod.Post, "/api/ports/plain/expect", """{"power": "status", "pattern": "x"}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
    }
}
