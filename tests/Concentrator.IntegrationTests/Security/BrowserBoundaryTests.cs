using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Security;

/// <summary>
/// Issue 22, item 2: another site's page, through the visitor's browser, gets nothing from the trust the API gives
/// loopback callers. Driven with the real curl against a real daemon in the demo's own setting
/// (allow-anonymous-actions = on), sending what a rebound or cross-site page's browser sends.
/// </summary>
public sealed class BrowserBoundaryTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private DaemonProcess Serve()
    {
        var daemon = Track(DaemonProcess.Start("""
            concentrator.ports.demo { device = "sim:echo", listeners = [ { port = 0, protocol = raw } ] }
            concentrator.api.allow-anonymous-actions = on
            """.Replace("port = 0", $"port = {FreeTcpPort.Next()}", StringComparison.Ordinal)));
        daemon.WaitOnline("demo");
        return daemon;
    }

    [Fact]
    public async Task A_rebound_host_name_reads_nothing_while_loopback_names_still_do()
    {
        var daemon = Serve();
        var api = $"http://127.0.0.1:{daemon.ApiPort}";
        foreach (var path in new[] { "/api/ports", "/api/leases" })
        {
            Assert.Equal("401", await Status(api + path, "-H", "Host: evil.test"));
            Assert.Equal("401", await Status(api + path, "-H", $"Host: evil.test:{daemon.ApiPort}"));
            Assert.Equal("200", await Status(api + path)); // Host: 127.0.0.1:PORT
            Assert.Equal("200", await Status(api + path, "-H", $"Host: localhost:{daemon.ApiPort}"));
        }
    }

    [Fact]
    public async Task A_cross_site_page_cannot_send_a_break_or_any_action_but_our_own_clients_can()
    {
        var daemon = Serve();
        var api = $"http://127.0.0.1:{daemon.ApiPort}";
        var brk = api + "/api/ports/demo/break";

        // What fetch(url, {method: 'POST', mode: 'no-cors', body: new Blob([...])}) from http://evil.test sends.
        Assert.Equal("403", await Status(brk, "-X", "POST", "-H", "Origin: http://evil.test", "--data-binary", "{\"durationMs\":100}",
            "-H", "Content-Type:"));
        // A simple cross-site form post, and the same body from a page with no Origin (an old browser, a redirect).
        Assert.Equal("403", await Status(brk, "-X", "POST", "-H", "Origin: http://evil.test", "-d", "durationMs=100"));
        Assert.Equal("415", await Status(brk, "-X", "POST", "-H", "Content-Type: text/plain", "--data-binary", "{\"durationMs\":100}"));
        Assert.Equal("403", await Status(api + "/api/reload", "-X", "POST", "-H", "Origin: null"));
        Assert.DoesNotContain("break sent by", daemon.Output, StringComparison.Ordinal);

        // Our own clients: no Origin, or this server's own; JSON or no body.
        Assert.Equal("200", await Status(brk, "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "{\"durationMs\":100}"));
        Assert.Equal("200", await Status(brk, "-X", "POST"));
        Assert.Equal("200", await Status(brk, "-X", "POST", "-H", $"Origin: {api}", "-H", "Content-Type: application/json", "-d", "{}"));
        daemon.WaitFor("break sent by");
    }

    [Fact]
    public async Task A_caller_without_a_token_cannot_make_the_daemon_buffer_a_large_body()
    {
        var daemon = Serve();
        var body = Path.Combine(Track(new TempDirectory("body")).FullName, "big.json");
        await File.WriteAllTextAsync(body, "{\"ttl\":\"" + new string('x', 1024 * 1024) + "\"}");
        var renew = $"http://127.0.0.1:{daemon.ApiPort}/api/leases/no-such-lease/renew";
        // Anyone may try a lease token: the body is read after it, so a made-up one gets the body read.
        string[] anyToken = ["-H", "Authorization: Lease made-up", "-H", "Content-Type: application/json"];
        Assert.Equal("413", await Status(renew, ["-X", "POST", .. anyToken, "--data-binary", "@" + body]));
        // The same without a length up front (chunked): cut off at the limit, not buffered whole.
        Assert.Equal("413", await Status(renew, ["-X", "POST", .. anyToken, "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + body]));
        Assert.False(daemon.HasExited);
    }

    private static async Task<string> Status(string url, params string[] args)
    {
        var curl = await ExternalCommand.RunAsync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", .. args, url], timeout: Timeout);
        Assert.Equal(0, curl.ExitCode);
        return curl.Stdout.Trim();
    }
}
