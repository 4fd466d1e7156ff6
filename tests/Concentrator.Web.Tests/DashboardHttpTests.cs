using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Concentrator.Devices.Simulated;

namespace Concentrator.Web.Tests;

/// <summary>
/// The dashboard's HTTP surface without a browser: the CSRF and Origin rules, the loopback default authorization,
/// the terminal WebSocket's control messages, the scrollback download and the event feed.
/// </summary>
public sealed class DashboardHttpTests(DashboardHost host) : IClassFixture<DashboardHost>, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly HttpClient _http = new() { Timeout = Timeout };

    public void Dispose() => _http.Dispose();

    private HttpRequestMessage Post(string path, string? origin, string body = "{}")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, host.BaseUrl + path)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return request;
    }

    [Fact]
    public async Task Actions_need_a_same_origin_request_and_then_do_what_they_say()
    {
        // No Origin, or another site's: refused before anything happens (CSRF).
        var noOrigin = await _http.SendAsync(Post("/ui/ports/bench/break", origin: null));
        Assert.Equal(HttpStatusCode.Forbidden, noOrigin.StatusCode);
        var crossSite = await _http.SendAsync(Post("/ui/ports/bench/line", "http://evil.example", "{\"baud\":300}"));
        Assert.Equal(HttpStatusCode.Forbidden, crossSite.StatusCode);
        Assert.Equal("application/problem+json", crossSite.Content.Headers.ContentType?.MediaType);
        var sameHostOtherPort = await _http.SendAsync(Post("/ui/ports/bench/break", "http://127.0.0.1:1"));
        Assert.Equal(HttpStatusCode.Forbidden, sameHostOtherPort.StatusCode);
        Assert.NotEqual(300, (await host.Ports.GetAsync("bench"))!.Line.BaudRate);

        // From the dashboard's own origin: carried out.
        var brk = await _http.SendAsync(Post("/ui/ports/bench/break", host.BaseUrl));
        Assert.Equal(HttpStatusCode.OK, brk.StatusCode);
        Assert.Contains("break of 250 ms sent", await brk.Content.ReadAsStringAsync());
        var line = await _http.SendAsync(Post("/ui/ports/bench/line", host.BaseUrl, "{\"baud\":38400}"));
        Assert.Equal(HttpStatusCode.OK, line.StatusCode);
        Assert.Equal(38400, (await host.Ports.GetAsync("bench"))!.Line.BaudRate);
        var badBaud = await _http.SendAsync(Post("/ui/ports/bench/line", host.BaseUrl, "{\"baud\":\"fast\"}"));
        Assert.Equal(HttpStatusCode.BadRequest, badBaud.StatusCode);
        var noSession = await _http.SendAsync(Post("/ui/sessions/demo:999/kick", host.BaseUrl));
        Assert.Equal(HttpStatusCode.NotFound, noSession.StatusCode);
        var noPort = await _http.SendAsync(Post("/ui/ports/nope/break", host.BaseUrl));
        Assert.Equal(HttpStatusCode.NotFound, noPort.StatusCode);
    }

    [Fact]
    public async Task A_request_naming_a_host_that_is_not_loopback_gets_nothing_even_from_this_machine()
    {
        // DNS rebinding: a page whose own name resolves to 127.0.0.1 reaches us with its name in the Host header.
        using var request = new HttpRequestMessage(HttpMethod.Get, host.BaseUrl + "/");
        request.Headers.Host = "rebound.example:" + new Uri(host.BaseUrl).Port;
        var page = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);

        var dashboard = await _http.GetAsync(host.BaseUrl + "/");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Equal("text/html", dashboard.Content.Headers.ContentType?.MediaType);
        Assert.Contains("frame-ancestors 'none'", dashboard.Headers.GetValues("Content-Security-Policy").Single());
        var xterm = await _http.GetAsync(host.BaseUrl + "/ui/lib/xterm.mjs");
        Assert.Equal(HttpStatusCode.OK, xterm.StatusCode);
        Assert.Contains("Terminal", await xterm.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync(host.BaseUrl + "/ports/nope/terminal")).StatusCode);
    }

    [Fact]
    public async Task A_cross_origin_websocket_upgrade_is_refused_with_403()
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", "http://evil.example");
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(TerminalUri("demo"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
    }

    [Fact]
    public async Task The_terminal_websocket_is_a_session_that_replays_and_takes_control_messages()
    {
        using var socket = await ConnectAsync("demo", origin: host.BaseUrl);
        var started = await socket.ReceiveControlAsync();
        Assert.Equal("session", started.GetProperty("type").GetString());
        Assert.Equal("demo", started.GetProperty("port").GetString());
        var role = await socket.ReceiveControlAsync();
        Assert.Equal("role", role.GetProperty("type").GetString());
        Assert.True(role.GetProperty("canWrite").GetBoolean());
        Assert.Contains(DemoConsole.LoginPrompt, await socket.ReceiveTextUntilAsync(DemoConsole.LoginPrompt)); // the replay

        // Give up write with a control message: the port answers with the new role.
        await socket.SendControlAsync("""{"type":"write","action":"release"}""");
        var released = await socket.ReceiveControlAsync();
        Assert.False(released.GetProperty("canWrite").GetBoolean());
        await socket.SendControlAsync("""{"type":"write","action":"ask"}""");
        Assert.True((await socket.ReceiveControlAsync()).GetProperty("canWrite").GetBoolean());

        // The escape commands work as on telnet (Ctrl-E c w: who is connected), in-band, no telnet framing.
        await socket.SendBytesAsync("\u0005cw"u8.ToArray());
        Assert.Contains("web  read-write", await socket.ReceiveTextUntilAsync("read-write"));

        // Garbage on the control channel is dropped; the session goes on.
        await socket.SendControlAsync("{not json");
        await socket.SendControlAsync("""{"type":"who"}""");
        Assert.Contains("connected to port demo", await socket.ReceiveTextUntilAsync("connected to port demo"));
    }

    [Fact]
    public async Task A_read_only_websocket_is_admitted_read_only_and_cannot_take_the_write_lock()
    {
        using var socket = await ConnectAsync("demo", origin: null, readOnly: true);
        Assert.Equal("session", (await socket.ReceiveControlAsync()).GetProperty("type").GetString());
        var role = await socket.ReceiveControlAsync();
        Assert.False(role.GetProperty("canWrite").GetBoolean());
        Assert.Equal("this listener is read-only", role.GetProperty("reason").GetString());

        await socket.SendControlAsync("""{"type":"write","action":"force"}""");
        Assert.False((await socket.ReceiveControlAsync()).GetProperty("canWrite").GetBoolean());
    }

    [Fact]
    public async Task The_scrollback_downloads_as_text_and_the_event_feed_starts_with_every_port()
    {
        var scrollback = await _http.GetAsync(host.BaseUrl + "/api/ports/demo/scrollback");
        Assert.Equal(HttpStatusCode.OK, scrollback.StatusCode);
        Assert.Equal("text/plain", scrollback.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", scrollback.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("demo-scrollback.txt", scrollback.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Contains("Demo Linux 1.0 demo ttyS0", await scrollback.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync(host.BaseUrl + "/api/ports/nope/scrollback")).StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, host.BaseUrl + "/api/events");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var feed = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", feed.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await feed.Content.ReadAsStreamAsync());
        using var cancel = new CancellationTokenSource(Timeout);
        Assert.Equal("event: hello", await reader.ReadLineAsync(cancel.Token));
        var hello = JsonDocument.Parse((await reader.ReadLineAsync(cancel.Token))!["data: ".Length..]).RootElement;
        Assert.Equal("local", hello.GetProperty("principal").GetString());
        Assert.True(hello.GetProperty("canOperate").GetBoolean());
        Assert.Equal("", await reader.ReadLineAsync(cancel.Token));
        Assert.Equal("event: ports", await reader.ReadLineAsync(cancel.Token));
        var ports = JsonDocument.Parse((await reader.ReadLineAsync(cancel.Token))!["data: ".Length..]).RootElement;
        Assert.Equal(["bench", "demo"], ports.EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.Equal("online", ports[1].GetProperty("state").GetString());
        Assert.Equal("115200 8N1", ports[1].GetProperty("line").GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_browser_terminal_that_stops_reading_never_stalls_the_port_and_is_told_what_it_lost()
    {
        // A WebSocket client with a tiny socket receive buffer that reads nothing: a frozen browser tab.
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellation) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp)
                {
                    ReceiveBufferSize = 4096,
                };
                await socket.ConnectAsync(context.DnsEndPoint, cancellation);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        };
        using var invoker = new HttpMessageInvoker(handler);
        using var frozen = new ClientWebSocket();
        await frozen.ConnectAsync(TerminalUri("bench"), invoker, CancellationToken.None);
        await host.WaitForAsync("bench", s => s.Sessions.Any(x => x.Protocol == "web"), "a web session");

        using var reader = new System.Net.Sockets.TcpClient();
        await reader.ConnectAsync(IPAddress.Loopback, host.BenchRawPort);
        await host.WaitForAsync("bench", s => s.Sessions.Count == 2, "two sessions");

        // The device prints 16 MB, far more than the frozen tab's queue and socket buffers hold.
        const int Total = 16 << 20;
        const int Chunk = 64 * 1024;
        var pattern = new byte[251 + 256 * 1024]; // byte i of the stream is i % 251
        for (var i = 0; i < pattern.Length; i++)
        {
            pattern[i] = (byte)(i % 251);
        }

        var writer = Task.Run(() =>
        {
            for (var sent = 0; sent < Total; sent += Chunk)
            {
                host.Pty.Write(pattern.AsSpan(sent % 251, Chunk));
            }
        });

        // The other client gets every byte, in order, while the tab reads nothing.
        var stream = reader.GetStream();
        var buffer = new byte[256 * 1024];
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        for (var received = 0; received < Total;)
        {
            var n = await stream.ReadAsync(buffer, cancel.Token);
            Assert.NotEqual(0, n);
            Assert.True(buffer.AsSpan(0, n).SequenceEqual(pattern.AsSpan(received % 251, n)), $"bytes {received}..{received + n} differ");
            received += n;
        }

        await writer;
        var snapshot = (await host.Ports.GetAsync("bench"))!;
        Assert.Contains(snapshot.Sessions, x => x.Protocol == "web"); // kept (drop-oldest), not disconnected

        // When the tab reads again it is told that output was dropped.
        var tail = "";
        var message = new byte[64 * 1024];
        while (!tail.Contains("bytes dropped, client too slow", StringComparison.Ordinal))
        {
            var r = await frozen.ReceiveAsync(message, cancel.Token);
            Assert.NotEqual(WebSocketMessageType.Close, r.MessageType);
            var text = Encoding.Latin1.GetString(message, 0, r.Count);
            tail = (tail.Length > 200 ? tail[^200..] : tail) + text;
        }
    }

    private Uri TerminalUri(string port, bool readOnly = false) =>
        new($"{host.BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal)}/api/ports/{port}/terminal{(readOnly ? "?mode=read-only" : "")}");

    private async Task<TerminalClient> ConnectAsync(string port, string? origin, bool readOnly = false)
    {
        var socket = new ClientWebSocket();
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        using var cancel = new CancellationTokenSource(Timeout);
        await socket.ConnectAsync(TerminalUri(port, readOnly), cancel.Token);
        return new TerminalClient(socket);
    }

    /// <summary>
    /// A terminal WebSocket as a script sees it: console bytes gathered into <see cref="Text"/>, control messages
    /// queued in the order they came, whichever of the two the test waits for.
    /// </summary>
    private sealed class TerminalClient(ClientWebSocket socket) : IDisposable
    {
        private readonly Queue<JsonElement> _controls = new();
        private readonly StringBuilder _text = new();
        private readonly byte[] _buffer = new byte[64 * 1024];

        public string Text => _text.ToString();

        public Task SendBytesAsync(byte[] data) => socket.SendAsync(data, WebSocketMessageType.Binary, true, CancellationToken.None);

        public Task SendControlAsync(string json) =>
            socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

        public async Task<JsonElement> ReceiveControlAsync()
        {
            using var cancel = new CancellationTokenSource(Timeout);
            while (_controls.Count == 0)
            {
                await ReceiveOneAsync(cancel.Token);
            }

            return _controls.Dequeue();
        }

        public async Task<string> ReceiveTextUntilAsync(string expected)
        {
            using var cancel = new CancellationTokenSource(Timeout);
            while (!Text.Contains(expected, StringComparison.Ordinal))
            {
                await ReceiveOneAsync(cancel.Token);
            }

            return Text;
        }

        private async Task ReceiveOneAsync(CancellationToken cancellation)
        {
            var result = await socket.ReceiveAsync(_buffer, cancellation);
            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            if (result.MessageType == WebSocketMessageType.Text)
            {
                Assert.True(result.EndOfMessage);
                _controls.Enqueue(JsonDocument.Parse(_buffer.AsMemory(0, result.Count)).RootElement.Clone());
            }
            else
            {
                _text.Append(Encoding.UTF8.GetString(_buffer, 0, result.Count));
            }
        }

        public void Dispose() => socket.Dispose();
    }
}
