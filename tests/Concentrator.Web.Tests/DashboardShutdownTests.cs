using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;

namespace Concentrator.Web.Tests;

/// <summary>An open dashboard and an open browser terminal must not hold the daemon up when it stops.</summary>
public sealed class DashboardShutdownTests
{
    [Fact]
    public async Task Stopping_the_host_ends_open_feeds_and_terminals_at_once_and_tells_the_terminal_why()
    {
        var host = new DashboardHost();
        await host.InitializeAsync();
        using var http = new HttpClient();
        using var feed = await http.GetAsync(host.BaseUrl + "/api/events", HttpCompletionOption.ResponseHeadersRead);
        using var terminal = new ClientWebSocket();
        await terminal.ConnectAsync(new Uri(host.BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + "/api/ports/demo/terminal"),
            CancellationToken.None);
        await host.WaitForAsync("demo", s => s.Sessions.Count == 1, "a session");

        var clock = Stopwatch.StartNew();
        await host.DisposeAsync();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the host took {clock.Elapsed.TotalSeconds:0.0} s to stop");

        var said = new StringBuilder();
        var buffer = new byte[64 * 1024];
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var r = await terminal.ReceiveAsync(buffer, cancel.Token);
            if (r.MessageType == WebSocketMessageType.Close)
            {
                break;
            }

            if (r.MessageType == WebSocketMessageType.Text)
            {
                said.Append(Encoding.UTF8.GetString(buffer, 0, r.Count));
            }
        }

        Assert.Contains("\"reason\":\"the server is stopping\"", said.ToString());
    }
}
