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
            concentrator.api.allow-anonymous-actions = on
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

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // tokens file modes are POSIX
    public async Task The_dashboard_runs_as_the_api_token_it_was_signed_in_with()
    {
        var dir = Track(new TempDirectory("dash-tokens"));
        var tokens = Path.Combine(dir.FullName, "tokens.conf");
        var admin = Cli.Run("token", "add", "alice", "--role", "admin", "--tokens-file", tokens).Stdout.Trim();
        var reader = Cli.Run("token", "add", "grafana", "--role", "read", "--tokens-file", tokens).Stdout.Trim();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.echo { device = "sim:echo", listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
            concentrator.api { tokens-file = "{{tokens}}", allow-anonymous-actions = off }
            """));
        daemon.WaitOnline("echo");
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = daemon.ApiUrl, Timeout = Timeout };

        // Signing in keeps the token in an HttpOnly, SameSite=Strict cookie; a wrong token is refused.
        var bad = await http.PostAsync(new Uri("/login", UriKind.Relative), new FormUrlEncodedContent([new("token", "cct_wrong")]));
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        var signIn = await http.PostAsync(new Uri("/login", UriKind.Relative), new FormUrlEncodedContent([new("token", admin)]));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);

        // Terminal sessions: anonymous loopback watches, the read token watches, the admin token writes.
        Assert.Equal("read-only", await TerminalRole(daemon, cookie: null, sessionId: 1));
        Assert.Equal("read-only", await TerminalRole(daemon, $"{ApiTokenCookie}={reader}", sessionId: 2));
        Assert.Equal("read-write", await TerminalRole(daemon, cookie.Split(';')[0], sessionId: 3));
        daemon.WaitFor("session 3 on port echo: .* connected as alice");

        var foreign = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { { "Cookie", $"{ApiTokenCookie}=cct_forged" } } };
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(foreign)).StatusCode);
    }

    private const string ApiTokenCookie = "concentrator_token";

    private static async Task<string> TerminalRole(DaemonProcess daemon, string? cookie, int sessionId)
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", daemon.ApiUrl.GetLeftPart(UriPartial.Authority));
        if (cookie is not null)
        {
            socket.Options.SetRequestHeader("Cookie", cookie);
        }

        using var cancel = new CancellationTokenSource(Timeout);
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{daemon.ApiPort}/api/ports/echo/terminal"), cancel.Token);
        daemon.WaitFor($"session {sessionId} on port echo: .* connected .*\\(web, read-(only|write)\\)");
        var line = System.Text.RegularExpressions.Regex.Match(daemon.Output, $"session {sessionId} on port echo: .* connected .*\\(web, (read-only|read-write)\\)");
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", cancel.Token);
        return line.Groups[1].Value;
    }

    [Fact]
    public async Task The_scrollback_download_follows_the_ports_acl_like_watching_it_does()
    {
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.open { device = "sim:echo", listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
            concentrator.ports.locked {
              device = "sim:echo"
              acl { read-write = ["alice"] }
              listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ]
            }
            """));
        daemon.WaitOnline("open", "locked");
        using var http = new HttpClient { BaseAddress = daemon.ApiUrl, Timeout = Timeout };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/api/ports/open/scrollback", UriKind.Relative))).StatusCode);
        var locked = await http.GetAsync(new Uri("/api/ports/locked/scrollback", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, locked.StatusCode); // the dashboard's view right is not the port's ACL
        Assert.Contains("may not use port locked", await locked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
