using System.Text.Json;
using System.Text.RegularExpressions;
using Concentrator.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Concentrator.Web.Tests;

/// <summary>
/// Issue 22, DNS rebinding, in the real browser: an attacker's name (rebind.test) resolves to 127.0.0.1, so the
/// attacker's page is same-origin with the daemon it reached and may read every answer. The daemon runs as the demo
/// does (allow-anonymous-actions = on): the loopback trust must not extend to a Host that is not a loopback name. The
/// same probe from http://127.0.0.1:PORT is the control that shows the probe can see data and act.
/// </summary>
public sealed class DnsRebindingTests(RebindingBrowserFixture browser, ITestOutputHelper output) : IClassFixture<RebindingBrowserFixture>
{
    private const float Timeout = 10_000;

    /// <summary>
    /// Same-origin requests a page can make of the server it came from, with what came back: reads, a JSON POST (no
    /// preflight: same origin), the dashboard's action, the live feed, the scrollback, the terminal page and WebSocket.
    /// </summary>
    private const string Probe = """
        async () => {
          const read = async (path, init) => {
            const answer = await fetch(path, init);
            return { status: answer.status, body: await answer.text() };
          };
          const feed = new AbortController();
          const events = await fetch('/api/events', { signal: feed.signal });
          feed.abort(); // a live feed never ends; its status is enough
          const socket = await new Promise(done => {
            const ws = new WebSocket(`ws://${location.host}/api/ports/demo/terminal?mode=read-only`);
            ws.onopen = () => { ws.close(); done('open'); };
            ws.onerror = () => done('refused');
          });
          return JSON.stringify({
            ports: await read('/api/ports'),
            port: await read('/api/ports/demo'),
            break: await read('/api/ports/demo/break', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"durationMs":100}' }),
            dashboardBreak: await read('/ui/ports/demo/break', { method: 'POST' }),
            scrollback: await read('/api/ports/demo/scrollback'),
            terminal: await read('/ports/demo/terminal'),
            events: { status: events.status, body: '' },
            socket: { status: socket === 'open' ? 101 : 0, body: '' },
          });
        }
        """;

    [Fact]
    public async Task A_page_that_rebound_its_name_to_the_daemon_reads_nothing_and_acts_on_nothing_while_the_same_probe_on_127_0_0_1_does()
    {
        using var daemon = new Daemon($$"""
            concentrator.ports.demo { device = "sim:echo", listeners = [{ protocol = raw, port = {{FreeTcpPort.Next()}} }] }
            concentrator.api.allow-anonymous-actions = on
            """);
        try
        {
            await daemon.WaitReadyAsync("demo");
            await ProbeAsync(daemon);
        }
        catch
        {
            output.WriteLine(daemon.Output);
            throw;
        }
    }

    private async Task ProbeAsync(Daemon daemon)
    {
        var port = new Uri(daemon.ApiUrl).Port;
        var rebound = await browser.NewPageAsync();
        var page = await rebound.GotoAsync($"http://{RebindingBrowserFixture.ReboundHost}:{port}/");
        Assert.Equal(403, page!.Status); // the dashboard itself
        Assert.DoesNotContain("sim:echo", await rebound.ContentAsync(), StringComparison.Ordinal);
        await Expect(rebound.Locator("tr[data-port]")).ToHaveCountAsync(0);

        var refused = await RunProbeAsync(rebound, "rebind.test");
        Assert.Equal(401, refused["ports"].Status); // the API: no loopback Host, no token
        Assert.Equal(401, refused["port"].Status);
        Assert.Equal(401, refused["break"].Status);
        Assert.Equal(403, refused["dashboardBreak"].Status); // the dashboard: no loopback Host, no session
        Assert.Equal(403, refused["scrollback"].Status);
        Assert.Equal(403, refused["terminal"].Status);
        Assert.Equal(403, refused["events"].Status);
        Assert.Equal(0, refused["socket"].Status);
        Assert.All(refused.Values, answer => Assert.DoesNotContain("sim:echo", answer.Body, StringComparison.Ordinal));
        await rebound.Context.CloseAsync();

        // The control: the same page and probe from a loopback name see the port and act.
        var local = await browser.NewPageAsync();
        Assert.Equal(200, (await local.GotoAsync(daemon.ApiUrl + "/"))!.Status);
        await Expect(local.Locator("tr[data-port=\"demo\"]")).ToContainTextAsync("sim:echo", new() { Timeout = Timeout });
        var allowed = await RunProbeAsync(local, "127.0.0.1");
        Assert.Contains("sim:echo", allowed["ports"].Body, StringComparison.Ordinal);
        Assert.All(allowed.Where(a => a.Key != "socket"), answer => Assert.Equal(200, answer.Value.Status));
        Assert.Equal(101, allowed["socket"].Status);
        await local.Context.CloseAsync();

        // Both control breaks are logged, and they are the only ones: the rebound page's would have come first.
        await daemon.WaitForOutputAsync("break sent by local \\(dashboard\\)");
        await daemon.WaitForOutputAsync("break sent by loopback");
        Assert.Equal(2, Regex.Matches(daemon.Output, "break sent by").Count);
    }

    private async Task<Dictionary<string, (int Status, string Body)>> RunProbeAsync(IPage page, string name)
    {
        var json = await page.EvaluateAsync<string>(Probe);
        using var answers = JsonDocument.Parse(json);
        var result = answers.RootElement.EnumerateObject().ToDictionary(p => p.Name,
            p => (p.Value.GetProperty("status").GetInt32(), p.Value.GetProperty("body").GetString() ?? ""));
        output.WriteLine($"{name}: {string.Join(", ", result.Select(r => $"{r.Key} {r.Value.Item1}"))}");
        return result;
    }
}
