using Concentrator.IntegrationTests.Security;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Management;

/// <summary>
/// Issue 22 (the HTTP entry): api.allow-anonymous-reads = off takes the read trust from loopback callers without a
/// token too, for the API and the dashboard; health probes still need none. Driven with the real curl.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // tokens file modes are POSIX
public sealed class AnonymousReadsTests : IntegrationTest
{
    [Fact]
    public async Task With_anonymous_reads_off_a_loopback_caller_without_a_token_reads_nothing_but_health()
    {
        var tokens = Path.Combine(Track(new TempDirectory("reads")).FullName, "tokens.conf");
        var (exit, reader, stderr) = Cli.Run("token", "add", "grafana", "--role", "read", "--tokens-file", tokens);
        Assert.True(exit == 0, stderr);
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.p { device = "sim:echo", listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
            concentrator.api { tokens-file = "{{tokens}}", allow-anonymous-reads = off }
            """));
        daemon.WaitOnline("p");
        daemon.WaitFor("anonymous loopback callers get nothing");
        var api = $"http://127.0.0.1:{daemon.ApiPort}";

        foreach (var path in new[] { "/api/ports", "/api/ports/p/sessions", "/api/leases", "/metrics", "/openapi/v1.json" })
        {
            var anonymous = await Curl.StatusAndBody(api + path);
            Assert.Equal("401", anonymous.Status);
            Assert.Contains("allow-anonymous-reads = off", anonymous.Body, StringComparison.Ordinal);
            Assert.Equal("200", (await Curl.StatusAndBody(api + path, "-H", $"Authorization: Bearer {reader.Trim()}")).Status);
        }

        Assert.Equal("403", (await Curl.StatusAndBody(api + "/api/events")).Status); // the dashboard's feed
        Assert.Equal("200", (await Curl.StatusAndBody(api + "/healthz")).Status); // probes need no token
    }
}
