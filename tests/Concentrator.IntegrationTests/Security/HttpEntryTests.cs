using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text.RegularExpressions;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Security;

/// <summary>
/// Issue 22 (the HTTP entry): the API's and dashboard's Kestrel takes the listeners' allow/deny lists and the
/// daemon-wide per-source limits at accept, before any HTTP is read, counting its connections in the same limiter
/// as the serial sessions; a browser's ordinary use stays well inside the default limits.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HttpEntryTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_denied_source_is_closed_at_accept_before_any_http_and_a_reload_applies_a_changed_filter()
    {
        var tcp = FreeTcpPort.Next();
        string Config(string denied) => $$"""
            concentrator.ports.p { device = "sim:echo", listeners = [ { port = {{tcp}}, protocol = raw } ] }
            concentrator.api { allow = ["127.0.0.0/8"], deny = ["{{denied}}"], allow-anonymous-actions = on }
            """;
        var daemon = Track(DaemonProcess.Start(Config("127.0.0.2")));
        daemon.WaitOnline("p");
        var ports = $"http://127.0.0.1:{daemon.ApiPort}/api/ports";

        // Closed without a byte, not even an HTTP error; and what curl sees of it.
        using (var raw = SourceAddressedClient.Connect("127.0.0.2", daemon.ApiPort))
        {
            Assert.True(SourceAddressedClient.ClosedWithoutData(raw, Timeout));
        }

        var denied = await Curl.StatusAndBody(ports, "--interface", "127.0.0.2");
        Assert.True(Reset(denied), denied.ToString());
        daemon.WaitFor($@"api 127\.0\.0\.1:{daemon.ApiPort}: refused 127\.0\.0\.2: denied by 127\.0\.0\.2/32");
        Assert.Equal("200", (await Curl.StatusAndBody(ports, "--interface", "127.0.0.3")).Status);

        // A reload re-applies the lists (POST /api/reload answers once they are in force).
        daemon.RewriteConfig(Config("127.0.0.3"));
        Assert.Equal("200", (await Curl.StatusAndBody($"http://127.0.0.1:{daemon.ApiPort}/api/reload", "-X", "POST")).Status);
        Assert.True(Reset(await Curl.StatusAndBody(ports, "--interface", "127.0.0.3")));
        daemon.WaitFor(@"refused 127\.0\.0\.3: denied by 127\.0\.0\.3/32");
        Assert.Equal("200", (await Curl.StatusAndBody(ports, "--interface", "127.0.0.2")).Status);
    }

    [Fact]
    public void Http_connections_and_serial_sessions_share_one_per_source_count_and_keep_alive_connections_hold_their_slot()
    {
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.security { max-connections-per-source = 3, accept-rate-per-source = 0 }
            concentrator.ports.p { device = "sim:echo", listeners = [ { port = {{tcp}}, protocol = raw } ] }
            """));
        daemon.WaitOnline("p");

        // Two keep-alive HTTP connections (each answered, then left open) and a serial session: 3 of 3.
        var first = Track(KeepAlive("127.0.0.5", daemon.ApiPort));
        Track(KeepAlive("127.0.0.5", daemon.ApiPort));
        var serial = Track(TcpClientSession.ConnectFrom("127.0.0.5", tcp));
        serial.Send("echo");
        serial.ReadUntil("echo", Timeout);

        // A fourth from that address is refused, over HTTP and on the serial listener alike; another address is not.
        using (var fourth = SourceAddressedClient.Connect("127.0.0.5", daemon.ApiPort))
        {
            Assert.True(SourceAddressedClient.ClosedWithoutData(fourth, Timeout));
        }

        daemon.WaitFor($@"api 127\.0\.0\.1:{daemon.ApiPort}: refused 127\.0\.0\.5: max-connections-per-source 3 reached");
        using (var refused = TcpClientSession.ConnectFrom("127.0.0.5", tcp))
        {
            Assert.True(refused.WaitClosed(Timeout));
        }

        // (Its log line is the one above: a source's refusals of one kind are logged once per interval, whatever the entry.)
        Track(KeepAlive("127.0.0.6", daemon.ApiPort));

        // Closing a keep-alive connection gives its slot back.
        first.Dispose();
        Eventually.True(() =>
        {
            try
            {
                using var again = KeepAlive("127.0.0.5", daemon.ApiPort);
                return true;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
            {
                return false; // still counted: refused
            }
        }, Timeout, () => daemon.Output);
    }

    [Fact]
    public void The_accept_rate_per_source_holds_for_http_connections()
    {
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.security { max-connections-per-source = 0, accept-rate-per-source = 3 }
            concentrator.ports.p { device = "sim:echo", listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
            """));
        daemon.WaitOnline("p");
        // Twelve connections at once (the accept loop takes them within milliseconds), then a request on each.
        var connections = Enumerable.Range(0, 12).Select(_ => Track(TcpClientSession.ConnectFrom("127.0.0.7", daemon.ApiPort))).ToList();
        var (served, refused) = (0, 0);
        foreach (var connection in connections)
        {
            try
            {
                connection.Send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                Assert.StartsWith("HTTP/1.1 200", connection.ReadUntil("\r\n\r\n", Timeout), StringComparison.Ordinal);
                served++;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
            {
                refused++;
            }
        }

        Assert.InRange(served, 1, 8);
        Assert.True(refused >= 4, $"{refused} of 12 refused");
        daemon.WaitFor(@"refused 127\.0\.0\.7: accept-rate-per-source 3/s exceeded");
    }

    [Fact]
    public async Task A_browser_loading_the_dashboard_with_its_feed_and_a_terminal_stays_well_inside_the_default_limits()
    {
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.p { device = "sim:echo", listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = telnet } ] }
            concentrator.api { allow-anonymous-actions = on, deny = ["127.0.0.99"] }
            """));
        daemon.WaitOnline("p");

        // What a browser does: up to 6 connections per origin, a dozen requests at once, the live feed, a terminal.
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 6 };
        using var http = new HttpClient(handler) { BaseAddress = daemon.ApiUrl, Timeout = Timeout };
        for (var load = 0; load < 3; load++)
        {
            var paths = new[] { "/", "/ui/dashboard.js", "/ui/dashboard.css", "/ui/common.css", "/api/ports", "/ports/p/terminal", "/ui/terminal.js",
                "/ui/terminal.css", "/api/ports/p/sessions", "/api/leases", "/api/ports/p/scrollback", "/healthz" };
            var answers = await Task.WhenAll(paths.Select(p => http.GetAsync(new Uri(p, UriKind.Relative))));
            Assert.All(answers, a => Assert.True(a.IsSuccessStatusCode, $"{a.RequestMessage!.RequestUri}: {a.StatusCode}"));
        }

        using var feed = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/events", UriKind.Relative));
        feed.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var events = await http.SendAsync(feed, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, events.StatusCode);
        using var terminal = new ClientWebSocket();
        await terminal.ConnectAsync(new Uri($"ws://127.0.0.1:{daemon.ApiPort}/api/ports/p/terminal"), CancellationToken.None);
        Assert.Equal(WebSocketState.Open, terminal.State);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/api/ports", UriKind.Relative))).StatusCode);

        // Nothing from 127.0.0.1 was refused: the sentinel's refusal is logged after anything refused before it.
        using (var sentinel = SourceAddressedClient.Connect("127.0.0.99", daemon.ApiPort))
        {
            Assert.True(SourceAddressedClient.ClosedWithoutData(sentinel, Timeout));
        }

        daemon.WaitFor(@"refused 127\.0\.0\.99: denied by");
        Assert.DoesNotMatch(new Regex(@"refused 127\.0\.0\.1[:\s]"), daemon.Output);
    }

    /// <summary>
    /// curl's word for a connection reset at accept: 7 when the reset beat its connect, 52 (empty reply) or 56 (reset) after.
    /// The daemon's log line tells which one refused it.
    /// </summary>
    private static bool Reset(Curl.Result result) => result.ExitCode is 7 or 52 or 56 && result.Stdout.TrimEnd().EndsWith("000", StringComparison.Ordinal);

    /// <summary>An HTTP/1.1 connection from <paramref name="source"/> that got an answer and stays open; throws when refused.</summary>
    private static TcpClientSession KeepAlive(string source, int port)
    {
        var session = TcpClientSession.ConnectFrom(source, port);
        try
        {
            session.Send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Assert.StartsWith("HTTP/1.1 200", session.ReadUntil("\r\n\r\n", Timeout), StringComparison.Ordinal);
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }
}
