using System.Net;
using System.Net.Http.Headers;
using Concentrator.IntegrationTests.Management;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Security;

/// <summary>
/// Issue 22 (the HTTP entry): X-Forwarded-For / X-Forwarded-Proto / Forwarded name the client only when they come
/// from api.trusted-proxies, and then that client is the one loopback trust, the source filter, the per-source
/// limits and the logs see. From anyone else they are not believed, and a loopback caller that sends them gets no
/// anonymous loopback trust (a reverse proxy on this host would otherwise make every network client "loopback").
/// Driven with the real curl, which plays the proxy from 127.0.0.1.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ForwardedHeadersTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private string AddToken(string role)
    {
        var file = Path.Combine(Track(new TempDirectory("forwarded")).FullName, "tokens.conf");
        var (exit, token, stderr) = Cli.Run("token", "add", "t", "--role", role, "--tokens-file", file);
        Assert.True(exit == 0, stderr);
        TokensFile = file;
        return token.Trim();
    }

    private string TokensFile { get; set; } = "";

    [Fact]
    public async Task Without_trusted_proxies_forwarding_headers_are_not_believed_and_cost_a_loopback_caller_its_trust()
    {
        var token = AddToken("read");
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.p { device = "sim:echo", listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
            concentrator.api { tokens-file = "{{TokensFile}}", deny = ["203.0.113.0/24"] }
            """));
        daemon.WaitOnline("p");
        var ports = $"http://127.0.0.1:{daemon.ApiPort}/api/ports";
        Assert.Equal("200", (await Curl.StatusAndBody(ports)).Status); // loopback, no token: trusted

        foreach (var header in new[] { "X-Forwarded-For: 203.0.113.9", "Forwarded: for=203.0.113.9", "X-Forwarded-Proto: https", "X-Real-IP: 203.0.113.9" })
        {
            var proxied = await Curl.StatusAndBody(ports, "-H", header);
            Assert.Equal("401", proxied.Status);
            Assert.Contains("trusted-proxies = [\"127.0.0.1\"]", proxied.Detail, StringComparison.Ordinal);
        }

        Assert.Equal("403", (await Curl.StatusAndBody($"http://127.0.0.1:{daemon.ApiPort}/api/events", "-H", "X-Forwarded-For: 10.1.1.1")).Status);
        // Not believed either way: the denied address it names is not refused, a token still reads.
        Assert.Equal("200", (await Curl.StatusAndBody(ports, "-H", "X-Forwarded-For: 203.0.113.9", "-H", $"Authorization: Bearer {token}")).Status);
        Assert.DoesNotContain("refused 203.0.113.9", daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task From_a_trusted_proxy_the_forwarded_client_is_the_one_filtered_limited_and_trusted()
    {
        var token = AddToken("read");
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.security.max-connections-per-source = 1
            concentrator.ports.p { device = "sim:echo", listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
            concentrator.api { tokens-file = "{{TokensFile}}", trusted-proxies = ["127.0.0.1"], deny = ["203.0.113.0/24"] }
            """));
        daemon.WaitOnline("p");
        daemon.WaitFor(@"forwarding headers trusted from 127\.0\.0\.1/32");
        var api = $"http://127.0.0.1:{daemon.ApiPort}";
        var ports = api + "/api/ports";
        string[] bearer = ["-H", $"Authorization: Bearer {token}"];

        // The source filter sees the forwarded client (through a chain of trusted proxies, and in RFC 7239's form too).
        var denied = await Curl.StatusAndBody(ports, [.. bearer, "-H", "X-Forwarded-For: 203.0.113.9"]);
        Assert.Equal("403", denied.Status);
        Assert.Contains("203.0.113.9 may not use this API", denied.Detail, StringComparison.Ordinal);
        daemon.WaitFor(@"api: refused 203\.0\.113\.9 \(forwarded by a trusted proxy\): denied by 203\.0\.113\.0/24");
        Assert.Equal("403", (await Curl.StatusAndBody(ports, [.. bearer, "-H", "X-Forwarded-For: 203.0.113.10, 127.0.0.1"])).Status);
        Assert.Equal("403", (await Curl.StatusAndBody(ports, [.. bearer, "-H", "Forwarded: for=203.0.113.11;proto=https"])).Status);

        // Loopback trust goes by the forwarded client: a network client is not "loopback", a client on this host is.
        var remote = await Curl.StatusAndBody(ports, "-H", "X-Forwarded-For: 198.51.100.7");
        Assert.Equal("401", remote.Status);
        Assert.Contains("a bearer token is required from this address", remote.Detail, StringComparison.Ordinal);
        Assert.Equal("200", (await Curl.StatusAndBody(ports, [.. bearer, "-H", "X-Forwarded-For: 198.51.100.7"])).Status);
        Assert.Equal("200", (await Curl.StatusAndBody(ports, "-H", "X-Forwarded-For: 127.0.0.1")).Status);
        var unknown = await Curl.StatusAndBody(ports, "-H", "X-Forwarded-For: unknown");
        Assert.Equal("401", unknown.Status); // the proxy is on loopback, but who its client is, nobody knows
        Assert.Contains("names no client address", unknown.Detail, StringComparison.Ordinal);
        Assert.Equal("401", (await Curl.StatusAndBody(ports, "--interface", "127.0.0.2", "-H", "X-Forwarded-For: 127.0.0.1")).Status);

        // The per-source limit counts the forwarded client's requests (its connections end at the proxy): one open feed
        // of 198.51.100.7 is its one slot, while another client and the proxy's own further connections go on.
        using var http = new HttpClient { BaseAddress = daemon.ApiUrl, Timeout = Timeout };
        using var feed = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/events", UriKind.Relative));
        feed.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        feed.Headers.Add("X-Forwarded-For", "198.51.100.7");
        using var events = await http.SendAsync(feed, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, events.StatusCode);
        var limited = await Curl.StatusAndBody(ports, [.. bearer, "-H", "X-Forwarded-For: 198.51.100.7"]);
        Assert.Equal("429", limited.Status);
        Assert.Contains("max-connections-per-source 1 reached", limited.Detail, StringComparison.Ordinal);
        Assert.Equal("200", (await Curl.StatusAndBody(ports, [.. bearer, "-H", "X-Forwarded-For: 198.51.100.8"])).Status);

        // X-Forwarded-Proto: https makes the request HTTPS to the daemon: the dashboard's session cookie is Secure.
        var login = await Curl.Run("-s", "-D", "-", "-o", "/dev/null", "-X", "POST", "-H", "X-Forwarded-For: 127.0.0.1", "-H", "X-Forwarded-Proto: https",
            "-H", $"Origin: https://127.0.0.1:{daemon.ApiPort}", "--data-urlencode", $"token={token}", api + "/login");
        Assert.Contains("set-cookie: concentrator_session=", login.Stdout.ToLowerInvariant(), StringComparison.Ordinal);
        Assert.Contains("; secure", login.Stdout.ToLowerInvariant(), StringComparison.Ordinal);
    }
}
