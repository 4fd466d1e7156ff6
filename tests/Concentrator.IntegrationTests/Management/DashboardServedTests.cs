using System.Net;
using System.Net.WebSockets;
using System.Text;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Management;

/// <summary>The daemon itself serves the dashboard and the browser terminal on the API's port (the browser tests drive them in Concentrator.Web.Tests).</summary>
public sealed class DashboardServedTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task The_dashboard_page_and_a_terminal_websocket_session_are_served_by_the_daemon()
    {
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.echo { device = "sim:echo", listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
            """));
        daemon.WaitOnline("echo");
        using var http = new HttpClient { BaseAddress = daemon.ApiUrl, Timeout = Timeout };

        var page = await http.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/ports/echo/terminal", UriKind.Relative))).StatusCode);

        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", daemon.ApiUrl.GetLeftPart(UriPartial.Authority));
        using var cancel = new CancellationTokenSource(Timeout);
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{daemon.ApiPort}/api/ports/echo/terminal"), cancel.Token);
        daemon.WaitFor("session 1 on port echo: .* connected .*\\(web, read-write\\)");
        await socket.SendAsync("through the browser's path"u8.ToArray(), WebSocketMessageType.Binary, true, cancel.Token);

        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (!received.ToString().Contains("through the browser's path", StringComparison.Ordinal))
        {
            var result = await socket.ReceiveAsync(buffer, cancel.Token);
            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            if (result.MessageType == WebSocketMessageType.Binary)
            {
                received.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            }
        }
    }
}
