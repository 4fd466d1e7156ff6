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

        // Signing in opens a server-side session: its id, never the token, goes in an HttpOnly, SameSite=Strict cookie.
        var origin = daemon.ApiUrl.GetLeftPart(UriPartial.Authority);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignIn(http, "cct_wrong", origin)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SignIn(http, admin, "http://evil.test")).StatusCode); // another site's page
        var signIn = await SignIn(http, admin, origin);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(admin, cookie, StringComparison.Ordinal);
        var adminSession = cookie.Split(';')[0];
        var readerSession = Assert.Single((await SignIn(http, reader, origin)).Headers.GetValues("Set-Cookie")).Split(';')[0];

        // Terminal sessions: anonymous loopback watches, the read token watches, the admin token writes.
        Assert.Equal("read-only", await TerminalRole(daemon, cookie: null, sessionId: 1));
        Assert.Equal("read-only", await TerminalRole(daemon, readerSession, sessionId: 2));
        Assert.Equal("read-write", await TerminalRole(daemon, adminSession, sessionId: 3));
        daemon.WaitFor("session 3 on port echo: .* connected as alice");

        // The raw token in the cookie, or a made-up session, gets nothing.
        Assert.Equal(HttpStatusCode.Forbidden, (await Page(http, $"{SessionCookie}={admin}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Page(http, $"{SessionCookie}=forged")).StatusCode);

        // Logout ends the session itself: the old cookie is worth nothing afterwards (and only this origin may log out).
        Assert.Equal(HttpStatusCode.OK, (await Page(http, adminSession)).StatusCode);
        var foreignLogout = new HttpRequestMessage(HttpMethod.Post, "/logout") { Headers = { { "Cookie", adminSession }, { "Origin", "http://evil.test" } } };
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(foreignLogout)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Page(http, adminSession)).StatusCode);
        var logout = new HttpRequestMessage(HttpMethod.Post, "/logout") { Headers = { { "Cookie", adminSession }, { "Origin", origin } } };
        Assert.Equal(HttpStatusCode.Redirect, (await http.SendAsync(logout)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Page(http, adminSession)).StatusCode);
    }

    private const string SessionCookie = "concentrator_session";

    private static Task<HttpResponseMessage> SignIn(HttpClient http, string token, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/login") { Content = new FormUrlEncodedContent([new("token", token)]) };
        request.Headers.Add("Origin", origin);
        return http.SendAsync(request);
    }

    private static Task<HttpResponseMessage> Page(HttpClient http, string cookie) =>
        http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { { "Cookie", cookie } } });



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
