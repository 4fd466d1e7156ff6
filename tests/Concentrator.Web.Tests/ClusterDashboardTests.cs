using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using Concentrator.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Concentrator.Web.Tests;

/// <summary>
/// The dashboard of a cluster: two real daemons on loopback (rack-a, the seed, and rack-b) form a cluster; rack-a's
/// dashboard shows both nodes and rack-b's port as a read-only row that links to rack-b's own dashboard.
/// </summary>
public sealed class ClusterDashboardTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private static readonly TimeSpan Forming = TimeSpan.FromSeconds(60);
    private const float Timeout = 10_000;

    [Fact]
    public async Task A_nodes_dashboard_shows_every_node_and_the_other_nodes_port_read_only_with_a_link_to_its_own_dashboard()
    {
        var (clusterA, clusterB, rawA, rawB) = (FreeTcpPort.Next(), FreeTcpPort.Next(), FreeTcpPort.Next(), FreeTcpPort.Next());
        string Node(string name, int bind, string port, int raw) => $$"""
            concentrator.cluster { node-name = "{{name}}", bind = "127.0.0.1:{{bind}}", seeds = ["127.0.0.1:{{clusterA}}"], down-after = 2s, heartbeat-pause = 2s }
            concentrator.ports.{{port}} { device = "sim:echo", tags = [lab], listeners = [{ protocol = raw, port = {{raw}} }] }
            concentrator.api.allow-anonymous-actions = on
            """;
        using var a = new Daemon(Node("rack-a", clusterA, "pa", rawA));
        using var b = new Daemon(Node("rack-b", clusterB, "pb", rawB));
        try
        {
            await WaitForClusterAsync(a, b, "both nodes up, with a port each in rack-a's inventory");
            await RunAsync(a, b, rawB);
        }
        catch
        {
            output.WriteLine($"--- rack-a:\n{a.Output}\n--- rack-b:\n{b.Output}");
            throw;
        }
    }

    private async Task RunAsync(Daemon a, Daemon b, int rawB)
    {
        var clock = Stopwatch.StartNew();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(a.ApiUrl + "/");

        // The nodes strip: this node marked, both up and reachable, rack-b with its port count and a link to its dashboard.
        var self = page.Locator("#nodes li[data-node=\"rack-a\"]");
        var other = page.Locator("#nodes li[data-node=\"rack-b\"]");
        await Expect(self).ToContainTextAsync("this node", new() { Timeout = Timeout });
        await Expect(self.Locator(".badge.status")).ToHaveTextAsync("up");
        await Expect(other.Locator(".badge.status")).ToHaveTextAsync("up");
        await Expect(other).ToContainTextAsync("reachable");
        await Expect(other).ToContainTextAsync("1 port");
        await Expect(other.Locator("a.node-dashboard")).ToHaveAttributeAsync("href", b.ApiUrl + "/");
        await Expect(page.Locator("#cluster-banner")).ToBeHiddenAsync();

        // rack-b's port: its node named, a link to rack-b's dashboard, and no terminal, monitor, log or action buttons.
        var remote = page.Locator("tr[data-port=\"pb\"]");
        await Expect(remote).ToHaveAttributeAsync("data-node", "rack-b");
        await Expect(remote.Locator(".node-of")).ToHaveTextAsync("node rack-b");
        await Expect(remote.Locator("a.elsewhere")).ToHaveAttributeAsync("href", b.ApiUrl + "/?q=pb");
        await Expect(remote.Locator("a", new() { HasText = "terminal" })).ToHaveCountAsync(0);
        await Expect(remote.Locator("a[href*='/terminal'], a[href*='/scrollback']")).ToHaveCountAsync(0);
        await Expect(remote.Locator("button, select")).ToHaveCountAsync(0);

        // This node's port keeps everything, and names its node.
        var local = page.Locator("tr[data-port=\"pa\"]");
        await Expect(local.Locator(".node-of")).ToHaveTextAsync("node rack-a (this node)");
        await Expect(local.Locator("a", new() { HasText = "terminal" })).ToHaveAttributeAsync("href", "/ports/pa/terminal");
        await Expect(local.Locator("button", new() { HasText = "Break" })).ToBeVisibleAsync();

        // Live: a session on rack-b's port reaches rack-a's dashboard through the replicated inventory.
        using (var session = new TcpClient())
        {
            await session.ConnectAsync("127.0.0.1", rawB);
            await Expect(remote).ToContainTextAsync("1 session", new() { Timeout = Timeout });
        }

        var path = Path.Combine(BrowserFixture.Artifacts, "dashboard-cluster.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        output.WriteLine($"screenshot: {path}");

        // The link leads to rack-b's own dashboard, where the port has its terminal. (Followed by its address: live
        // updates re-render the row, and a click can land on the row being replaced.)
        var link = await remote.Locator("a.elsewhere").GetAttributeAsync("href");
        Assert.Equal(b.ApiUrl + "/?q=pb", link);
        await page.GotoAsync(link!);
        await Expect(page.Locator("#nodes li.self")).ToHaveAttributeAsync("data-node", "rack-b", new() { Timeout = Timeout });
        await Expect(page.Locator("tr[data-port=\"pb\"] a", new() { HasText = "terminal" })).ToHaveAttributeAsync("href", "/ports/pb/terminal");
        await page.Context.CloseAsync();
        output.WriteLine($"browser: {clock.ElapsedMilliseconds} ms");
        Assert.False(a.HasExited || b.HasExited);
    }

    /// <summary>Polls rack-a's GET /api/cluster until both members are up, reachable and list one port each.</summary>
    private static async Task WaitForClusterAsync(Daemon a, Daemon b, string what)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < Forming && !a.HasExited && !b.HasExited)
        {
            try
            {
                last = await http.GetStringAsync(a.ApiUrl + "/api/cluster");
                using var json = JsonDocument.Parse(last);
                var members = json.RootElement.GetProperty("members").EnumerateArray().ToList();
                if (members.Count == 2 && members.All(m => m.GetProperty("status").GetString() == "up" && m.GetProperty("reachable").GetBoolean() &&
                                                           m.GetProperty("ports").ValueKind == JsonValueKind.Number && m.GetProperty("ports").GetInt32() == 1))
                {
                    return;
                }
            }
            catch (HttpRequestException e)
            {
                last = e.Message; // not serving yet
            }
            catch (TaskCanceledException)
            {
                last = "no answer within 5 s";
            }

            await Task.Delay(100);
        }

        Assert.Fail($"{(a.HasExited || b.HasExited ? "a daemon exited" : $"not within {Forming.TotalSeconds:0} s")}: {what}; last /api/cluster: {last}");
    }
}
