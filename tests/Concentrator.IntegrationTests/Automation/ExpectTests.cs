using System.Net;
using System.Text;
using System.Text.Json;
using Concentrator.IntegrationTests.Management;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Automation;

/// <summary>
/// Issue 24, expect on the always-on capture: through the real daemon's API, against the demo console and the echo
/// device. Output printed before anyone asked is there (from = start); an answer to a send is never lost (the offset is
/// taken before the send); sending needs the right to write; a pattern the server will not run is refused.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // tokens file modes are POSIX
public sealed class ExpectTests : IntegrationTest
{
    private readonly TempDirectory _dir;

    public ExpectTests() => _dir = Track(new TempDirectory("expect"));

    private string TokensFile => Path.Combine(_dir.FullName, "tokens.conf");

    private string AddToken(string name, string role)
    {
        var (exit, stdout, stderr) = Cli.Run("token", "add", name, "--role", role, "--tokens-file", TokensFile);
        Assert.True(exit == 0, stderr);
        return stdout.Trim();
    }

    private (DaemonProcess Daemon, ApiHttp Api) Serve(string? tokens = null)
    {
        var log = Path.Combine(_dir.FullName, "demo.log");
        var daemon = Track(DaemonProcess.Start($$"""
        concentrator {
          ports {
            demo { device = "sim:demo", log { file = "{{log}}" }, listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
            echo { device = "sim:echo", listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
            locked { device = "sim:echo", acl { read-write = ["alice"], read-only = ["web:ops", "web:watcher"] }, listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
          }
          {{tokens}}
        }
        """));
        daemon.WaitOnline("demo", "echo", "locked");
        return (daemon, Track(new ApiHttp(daemon.ApiUrl)));
    }

    [Fact]
    public async Task Expect_from_start_finds_a_boot_prompt_printed_before_the_request_and_the_output_stream_replays_it()
    {
        var (daemon, api) = Serve();
        var log = Path.Combine(_dir.FullName, "demo.log");
        // The console log has the prompt: the device printed it before the request below was made.
        Eventually.True(() => File.Exists(log) && File.ReadAllText(log).Contains("demo login: ", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), () => "the demo console never printed its login prompt");

        var reply = await api.PostAsync("/api/ports/demo/expect", """{"pattern":"Linux version (\\S+)","from":"start","timeout":"5s"}""");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True(reply.Json.GetProperty("matched").GetBoolean());
        Assert.Equal("5.15.0-demo", reply.Json.GetProperty("groups")[0].GetString());
        var start = reply.Json.GetProperty("start").GetInt64();
        Assert.True(start > 0 && reply.Json.GetProperty("end").GetInt64() > start, reply.Text);
        Assert.Contains("Booting Linux", reply.Json.GetProperty("transcript").GetString(), StringComparison.Ordinal);

        // Several patterns: the earliest match wins and says which pattern it was.
        var two = await api.PostAsync("/api/ports/demo/expect", """{"patterns":["demo login: ","U-Boot"],"from":"start","timeout":"5s"}""");
        Assert.Equal(1, two.Json.GetProperty("pattern").GetInt32());

        // From "now" the prompt is in the past: nothing new comes, 408 with the (empty) transcript.
        var late = await api.PostAsync("/api/ports/demo/expect", """{"pattern":"demo login: ","timeout":"300ms"}""");
        Assert.Equal(HttpStatusCode.RequestTimeout, late.Status);
        Assert.False(late.Json.GetProperty("matched").GetBoolean());

        // From an offset: from the match's own start the match is found again, one byte later not.
        var again = await api.PostAsync("/api/ports/demo/expect", $$"""{"pattern":"Linux version","from":{{start}},"timeout":"5s"}""");
        Assert.Equal(start, again.Json.GetProperty("start").GetInt64());
        var after = await api.PostAsync("/api/ports/demo/expect", $$"""{"pattern":"Linux version","from":"{{start + 1}}","timeout":"200ms"}""");
        Assert.Equal(HttpStatusCode.RequestTimeout, after.Status);

        // The raw stream from the match's offset starts with the matched text.
        using var http = new HttpClient { BaseAddress = daemon.ApiUrl };
        using var response = await http.GetAsync($"/api/ports/demo/output?from={start}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var first = new byte["Linux version 5.15.0-demo".Length];
        await stream.ReadExactlyAsync(first);
        Assert.Equal("Linux version 5.15.0-demo", Encoding.ASCII.GetString(first));
    }

    [Fact]
    public async Task Send_and_expect_against_an_echoing_device_loses_no_answer_over_a_thousand_rounds()
    {
        var (_, api) = Serve("api { allow-anonymous-actions = on }");
        for (var i = 0; i < 1000; i++)
        {
            var body = JsonSerializer.Serialize(new { send = $"ping {i}\r", pattern = $"ping {i}\\r", timeout = "10s" });
            var reply = await api.PostAsync("/api/ports/echo/expect", body);
            Assert.True(reply.Status == HttpStatusCode.OK, $"round {i}: {reply}");
            Assert.Equal($"ping {i}\r", reply.Json.GetProperty("match").GetString());
        }

        // Bytes as base64 go as they are.
        var raw = await api.PostAsync("/api/ports/echo/expect", """{"sendBase64":"AAH/","pattern":"\\x00\\x01\\xff","timeout":"5s"}""");
        Assert.Equal(HttpStatusCode.OK, raw.Status);
    }

    [Fact]
    public async Task Sending_needs_the_right_to_write_and_a_pattern_the_server_will_not_run_is_refused()
    {
        var ops = AddToken("ops", "operate");
        var watcher = AddToken("watcher", "read");
        var (daemon, api) = Serve($$"""api { tokens-file = "{{TokensFile}}", allow-anonymous-actions = off }""");

        // A read token watches but does not send.
        var watch = await api.SendAsync(HttpMethod.Post, "/api/ports/echo/expect", """{"pattern":"x","timeout":"100ms"}""", watcher);
        Assert.Equal(HttpStatusCode.RequestTimeout, watch.Status);
        var readSend = await api.SendAsync(HttpMethod.Post, "/api/ports/echo/expect", """{"send":"x","pattern":"x","timeout":"1s"}""", watcher);
        Assert.Equal(HttpStatusCode.Forbidden, readSend.Status);

        // An operate token that the port's ACL makes read-only: the port refuses, and nothing reached the device.
        var aclSend = await api.SendAsync(HttpMethod.Post, "/api/ports/locked/expect", """{"send":"secret\r","pattern":"secret","timeout":"1s"}""", ops);
        Assert.Equal(HttpStatusCode.Forbidden, aclSend.Status);
        Assert.Contains("may not write to port locked", aclSend.Detail, StringComparison.Ordinal);
        daemon.WaitFor("port locked: refused an action of api token ops");
        var stream = await api.SendAsync(HttpMethod.Post, "/api/ports/locked/expect", """{"pattern":"secret","from":"start","timeout":"300ms"}""", ops);
        Assert.Equal(HttpStatusCode.RequestTimeout, stream.Status);
        Assert.Equal("", stream.Json.GetProperty("transcript").GetString());

        // The operate token writes where the ACL lets it.
        var ok = await api.SendAsync(HttpMethod.Post, "/api/ports/echo/expect", """{"send":"hello\r","pattern":"hello","timeout":"5s"}""", ops);
        Assert.Equal(HttpStatusCode.OK, ok.Status);

        // Backreferences are not run by the non-backtracking engine; the answer says so.
        var backtrack = await api.SendAsync(HttpMethod.Post, "/api/ports/echo/expect", """{"pattern":"(a+)+\\1$","timeout":"1s"}""", watcher);
        Assert.Equal(HttpStatusCode.BadRequest, backtrack.Status);
        Assert.Contains("non-backtracking", backtrack.Text, StringComparison.Ordinal);
        var broken = await api.SendAsync(HttpMethod.Post, "/api/ports/echo/expect", """{"patterns":["ok","(unclosed"],"timeout":"1s"}""", watcher);
        Assert.Equal(HttpStatusCode.BadRequest, broken.Status);
        Assert.Contains("patterns[1]", broken.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cli_expect_exits_0_on_a_match_1_on_a_timeout_and_3_when_not_allowed()
    {
        var watcher = AddToken("watcher", "read");
        var ops = AddToken("ops", "operate");
        var (daemon, _) = Serve($$"""api { tokens-file = "{{TokensFile}}", allow-anonymous-actions = off }""");
        var api = daemon.ApiUrl.ToString();

        var (exit, stdout, stderr) = Cli.Run("expect", "echo", "--send", @"hello \x41\r", "--pattern", @"hello A\r", "--timeout", "10s",
            "--api", api, "--api-token", ops);
        Assert.True(exit == 0, stderr);
        Assert.Equal("hello A", stdout.Trim());

        (exit, stdout, stderr) = Cli.Run("expect", "echo", "--pattern", "never", "--pattern", "hello (A)", "--from", "start", "--json",
            "--api", api, "--api-token", watcher);
        Assert.True(exit == 0, stderr);
        var json = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(1, json.GetProperty("pattern").GetInt32());
        Assert.Equal("A", json.GetProperty("groups")[0].GetString());

        (exit, _, stderr) = Cli.Run("expect", "echo", "--pattern", "never", "--timeout", "200ms", "--api", api, "--api-token", watcher);
        Assert.Equal(1, exit);
        Assert.Contains("no match within 0.2 s", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = Cli.Run("expect", "echo", "--send", "x", "--pattern", "x", "--api", api, "--api-token", watcher);
        Assert.Equal(3, exit);
        Assert.Contains("operate", stderr, StringComparison.Ordinal);
    }
}
