using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Concentrator.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Concentrator.Web.Tests;

/// <summary>
/// Issue 22 in the real browser: a page of another origin (http://127.0.0.1:OTHER, the same site) or another site
/// (http://evil.test:OTHER) that a visitor of the daemon's dashboard opens makes the visitor's Chromium send requests to
/// the daemon, which runs as the demo does (allow-anonymous-actions = on: a loopback caller may act). Nothing may
/// happen: each test ends with a legitimate request whose effect shows up, after which the forged ones' would have.
/// </summary>
public sealed class CrossSiteRequestTests(RebindingBrowserFixture browser, ITestOutputHelper output) : IClassFixture<RebindingBrowserFixture>
{
    private const float Timeout = 10_000;

    [Fact]
    public async Task Another_sites_page_cannot_make_the_browser_break_lock_lease_reload_change_or_kick_anything()
    {
        var raw = FreeTcpPort.Next();
        using var daemon = new Daemon($$"""
            concentrator.ports.demo { device = "sim:echo", write-policy = exclusive, listeners = [{ protocol = raw, port = {{raw}} }] }
            concentrator.api.allow-anonymous-actions = on
            """);
        await using var site = await ForeignSite.StartAsync();
        try
        {
            await daemon.WaitReadyAsync("demo");
            await ForgeAsync(daemon, site, raw);
        }
        catch
        {
            output.WriteLine(daemon.Output);
            throw;
        }
    }

    private async Task ForgeAsync(Daemon daemon, ForeignSite site, int raw)
    {
        using var http = new HttpClient { BaseAddress = new Uri(daemon.ApiUrl), Timeout = TimeSpan.FromSeconds(10) };
        // Two sessions: 1 writes, 2 waits for the write lock (write-policy = exclusive).
        using var first = new TcpClient();
        await first.ConnectAsync("127.0.0.1", raw);
        using var second = new TcpClient();
        await second.ConnectAsync("127.0.0.1", raw);
        await daemon.WaitForOutputAsync("session 2 on port demo: .* connected");
        int baud;
        using (var before = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/ports/demo", UriKind.Relative))))
        {
            baud = before.RootElement.GetProperty("line").GetProperty("baud").GetInt32();
        }

        Assert.NotEqual(9600, baud); // what the forged PUT asks for

        var path = site.Serve("forge", AttackPages.ForgedRequests(daemon.ApiUrl));
        var form = site.Serve("form", AttackPages.AutoSubmit(daemon.ApiUrl + "/api/ports/demo/break", [("{\"durationMs\":100,\"x\":\"", "\"}")], "text/plain"));
        foreach (var origin in new[] { $"http://127.0.0.1:{site.Port}", $"http://{RebindingBrowserFixture.OtherSite}:{site.Port}" })
        {
            var page = await browser.NewPageAsync();
            await page.GotoAsync(origin + path);
            var seen = await page.EvaluateAsync<string[]>("() => window.forged");
            output.WriteLine($"{origin}: {string.Join("; ", seen)}");
            // The browser sends the no-cors requests and shows the page nothing of the answers; the JSON PUT never leaves it.
            Assert.Equal(["break: opaque 0", "write-lock: opaque 0", "lease: opaque 0", "reload: opaque 0", "line: failed (TypeError)",
                "dashboard break: opaque 0", "dashboard kick: opaque 0"], seen);

            // A text/plain form whose body reads as JSON, as a top-level navigation: the browser shows the daemon's answer.
            var answer = await page.RunAndWaitForResponseAsync(() => page.GotoAsync(origin + form), r => r.Url.StartsWith(daemon.ApiUrl, StringComparison.Ordinal));
            Assert.Equal(403, answer.Status);
            await page.Context.CloseAsync();
        }

        // The boundary said why (once per source per interval: the first forged request).
        Assert.Contains($"api: refused POST /api/ports/demo/break from 127.0.0.1: a request from the page at http://127.0.0.1:{site.Port} " +
                        "may not change anything here", daemon.Output, StringComparison.Ordinal);

        // The sentinel: a break from one of our own clients (no Origin, a JSON body) is done and logged...
        var legitimate = await http.PostAsJsonAsync("/api/ports/demo/break", new { durationMs = 100 });
        Assert.True(legitimate.IsSuccessStatusCode, await legitimate.Content.ReadAsStringAsync());
        await daemon.WaitForOutputAsync("port demo: break sent by");

        // ...and it is the only one; nothing else the pages asked for happened either.
        var log = daemon.Output;
        Assert.Single(Regex.Matches(log, "break sent by"));
        Assert.DoesNotMatch("gave session|lease .* granted|reload by|line settings changed|kicked by", log);
        using var port = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/ports/demo", UriKind.Relative)));
        var roles = port.RootElement.GetProperty("sessions").EnumerateArray()
            .ToDictionary(s => s.GetProperty("number").GetInt32(), s => s.GetProperty("role").GetString());
        Assert.Equal(2, roles.Count);
        Assert.Equal("read-write", roles[1]);
        Assert.NotEqual("read-write", roles[2]);
        Assert.Equal(baud, port.RootElement.GetProperty("line").GetProperty("baud").GetInt32());
        using var leases = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/leases", UriKind.Relative)));
        Assert.Equal(0, leases.RootElement.GetProperty("leases").GetArrayLength());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // users file modes are POSIX
    public async Task Another_sites_page_can_neither_sign_a_dashboard_user_out_nor_in_as_someone_else()
    {
        using var users = new TempDirectory("web-users-");
        var usersFile = Path.Combine(users.FullName, "users");
        AttackPages.WriteUsersFile(usersFile, ("alice", "alice's secret", []), ("mallory", "mallory's secret", []));
        using var daemon = new Daemon($$"""
            concentrator.security.users-file = "{{usersFile}}"
            concentrator.ports.lab { device = "sim:echo", acl { read-write = ["alice"] }, listeners = [{ protocol = raw, port = {{FreeTcpPort.Next()}} }] }
            concentrator.api.allow-anonymous-actions = on
            """);
        await using var site = await ForeignSite.StartAsync();
        try
        {
            await daemon.WaitReadyAsync("lab");
            await LoginCsrfAsync(daemon, site);
        }
        catch
        {
            output.WriteLine(daemon.Output);
            throw;
        }
    }

    private async Task LoginCsrfAsync(Daemon daemon, ForeignSite site)
    {
        var victim = await browser.NewPageAsync();
        await victim.GotoAsync(daemon.ApiUrl + "/login");
        await victim.FillAsync("#user-login input[name=user]", "alice");
        await victim.FillAsync("#user-login input[name=password]", "alice's secret");
        await victim.ClickAsync("#user-login button");
        await Expect(victim.Locator("#who")).ToHaveTextAsync("alice · viewer", new() { Timeout = Timeout });
        Assert.Equal(200, await ScrollbackStatusAsync(victim)); // the lab port's ACL names alice, and only her

        var logout = site.Serve("logout", AttackPages.AutoSubmit(daemon.ApiUrl + "/logout", []));
        var login = site.Serve("login", AttackPages.AutoSubmit(daemon.ApiUrl + "/login", [("user", "mallory"), ("password", "mallory's secret")]));
        foreach (var origin in new[] { $"http://127.0.0.1:{site.Port}", $"http://{RebindingBrowserFixture.OtherSite}:{site.Port}" })
        {
            foreach (var attack in new[] { logout, login })
            {
                // In the victim's browser context: the same cookies (127.0.0.1 on another port is the same site, so
                // even the SameSite=Strict cookie goes along from there).
                var page = await victim.Context.NewPageAsync();
                var answer = await page.RunAndWaitForResponseAsync(() => page.GotoAsync(origin + attack),
                    r => r.Url.StartsWith(daemon.ApiUrl, StringComparison.Ordinal));
                Assert.Equal(403, answer.Status);
                await page.CloseAsync();
            }
        }

        // The sentinel: alice's session still holds, as alice.
        await victim.ReloadAsync();
        await Expect(victim.Locator("#who")).ToHaveTextAsync("alice · viewer", new() { Timeout = Timeout });
        Assert.Equal(200, await ScrollbackStatusAsync(victim));
        Assert.DoesNotContain("mallory signed in", daemon.Output, StringComparison.Ordinal);

        // The control: her own page's logout does end it, and the same check sees that (she is the anonymous "local" now).
        Assert.Equal(200, await victim.EvaluateAsync<int>("async () => (await fetch('/logout', { method: 'POST' })).status"));
        Assert.Equal(403, await ScrollbackStatusAsync(victim));
        await victim.GotoAsync(daemon.ApiUrl + "/");
        await Expect(victim.Locator("#who")).ToHaveTextAsync("local · operator", new() { Timeout = Timeout });
        await victim.Context.CloseAsync();
    }

    private static Task<int> ScrollbackStatusAsync(IPage page) =>
        page.EvaluateAsync<int>("async () => (await fetch('/api/ports/lab/scrollback')).status");
}
