using System.Net;
using System.Text;
using System.Text.Json;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Management;

/// <summary>The management API of the real daemon over real HTTP, with a pty as the device.</summary>
public sealed class ManagementApiTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private (VirtualSerialDevice Device, DaemonProcess Daemon, ApiHttp Api, int Tcp) Serve()
    {
        var device = Track(VirtualSerialDevice.CreateTemp("api"));
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator {
              ports {
                lab { device = "{{device.LinkPath}}", baud = 115200, tags = ["rack-3", "board:rpi4"],
                      listeners = [ { port = {{tcp}}, protocol = raw } ] }
                echo { device = "sim:echo", listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = telnet } ] }
              }
              api.allow-anonymous-actions = on
            }
            """));
        daemon.WaitOnline("lab", "echo");
        return (device, daemon, Track(new ApiHttp(daemon.ApiUrl)), tcp);
    }

    [Fact]
    public async Task Lists_ports_with_state_device_line_tags_and_sessions()
    {
        var (device, _, api, tcp) = Serve();
        var client = Track(TcpClientSession.Connect(tcp));

        var reply = await api.GetAsync("/api/ports");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("application/json", reply.ContentType);
        var ports = reply.Json.EnumerateArray().ToList();
        Assert.Equal(["echo", "lab"], ports.Select(p => p.GetProperty("name").GetString()));
        var lab = ports[1];
        Assert.Equal("online", lab.GetProperty("state").GetString());
        Assert.Equal(device.LinkPath, lab.GetProperty("device").GetString());
        Assert.Equal(115200, lab.GetProperty("line").GetProperty("baud").GetInt32());
        Assert.Equal("none", lab.GetProperty("line").GetProperty("parity").GetString());
        Assert.Equal(["rack-3", "board:rpi4"], lab.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));

        JsonElement sessions = default;
        Eventually.True(() =>
        {
            sessions = api.GetAsync("/api/ports/lab/sessions").Result.Json;
            return sessions.GetArrayLength() == 1;
        }, Timeout, () => sessions.ToString());
        var session = sessions[0];
        Assert.Equal("lab:1", session.GetProperty("id").GetString());
        Assert.Equal("raw", session.GetProperty("transport").GetString());
        Assert.Equal("read-write", session.GetProperty("role").GetString());
        GC.KeepAlive(client);
    }

    [Fact]
    public async Task Unknown_port_or_session_is_a_404_problem_naming_it()
    {
        var (_, _, api, _) = Serve();

        var port = await api.GetAsync("/api/ports/nope");
        Assert.Equal(HttpStatusCode.NotFound, port.Status);
        Assert.Equal("application/problem+json", port.ContentType);
        Assert.Equal("name", port.Field);
        Assert.Contains("'nope'", port.Detail, StringComparison.Ordinal);

        var sessions = await api.GetAsync("/api/ports/nope/sessions");
        Assert.Equal(HttpStatusCode.NotFound, sessions.Status);

        var session = await api.DeleteAsync("/api/sessions/lab:99");
        Assert.Equal(HttpStatusCode.NotFound, session.Status);
        Assert.Equal("id", session.Field);
        Assert.Contains("lab:99", session.Detail, StringComparison.Ordinal);

        var malformed = await api.DeleteAsync("/api/sessions/garbage");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.Status);
        Assert.Equal("id", malformed.Field);

        var lockless = await api.PostAsync("/api/ports/lab/write-lock", """{"session":"lab:7"}""");
        Assert.Equal(HttpStatusCode.NotFound, lockless.Status);
        Assert.Equal("session", lockless.Field);

        var path = await api.GetAsync("/api/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, path.Status);
        Assert.Equal("application/problem+json", path.ContentType);
    }

    [Theory]
    [InlineData("""{"baud":0}""", "baud")]
    [InlineData("""{"dataBits":9}""", "dataBits")]
    [InlineData("""{"parity":"bogus"}""", "parity")]
    [InlineData("""{"stopBits":"3"}""", "stopBits")]
    [InlineData("""{"flowControl":"magic"}""", "flowControl")]
    [InlineData("""{"baud":"fast"}""", "baud")]
    [InlineData("""{"baudrate":9600}""", "baudrate")]
    [InlineData("""{"baud":9600""", "baud")]
    [InlineData("""not json""", "body")]
    [InlineData("", "body")]
    public async Task Bad_line_settings_are_a_400_problem_naming_the_field(string body, string field)
    {
        var (device, _, api, _) = Serve();

        var reply = await api.PutAsync("/api/ports/lab/line", body);
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("application/problem+json", reply.ContentType);
        Assert.Equal(field, reply.Field);
        Assert.True(reply.Json.GetProperty("errors").TryGetProperty(field, out _), reply.Text);
        Assert.Equal(115200, device.GetTermios().BaudRate); // nothing changed
    }

    [Fact]
    public async Task Setting_the_baud_rate_reaches_the_device()
    {
        var (device, daemon, api, _) = Serve();
        Assert.Equal(115200, device.GetTermios().BaudRate);

        var reply = await api.PutAsync("/api/ports/lab/line", """{"baud":9600,"stopBits":"2"}""");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(9600, reply.Json.GetProperty("line").GetProperty("baud").GetInt32());
        Assert.Equal("2", reply.Json.GetProperty("line").GetProperty("stopBits").GetString());
        // The answer comes once the device applied it: the pty's termios already has the new speed.
        var termios = device.GetTermios();
        Assert.Equal(9600, termios.BaudRate);
        Assert.Equal(Concentrator.Devices.StopBits.Two, termios.StopBits);
        daemon.WaitFor("port lab: line settings changed by loopback");

        var port = await api.GetAsync("/api/ports/lab");
        Assert.Equal(9600, port.Json.GetProperty("line").GetProperty("baud").GetInt32());
    }

    [Fact]
    public async Task Break_is_sent_and_an_out_of_range_duration_is_a_400()
    {
        var (_, daemon, api, _) = Serve();

        var reply = await api.PostAsync("/api/ports/lab/break", """{"durationMs":100}""");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Contains("break of 100 ms", reply.Json.GetProperty("done").GetString(), StringComparison.Ordinal);
        daemon.WaitFor("port lab: break sent by loopback");

        var bodiless = await api.PostAsync("/api/ports/lab/break");
        Assert.Equal(HttpStatusCode.OK, bodiless.Status);

        var tooLong = await api.PostAsync("/api/ports/lab/break", """{"durationMs":60000}""");
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.Status);
        Assert.Equal("durationMs", tooLong.Field);
    }

    [Fact]
    public async Task Kicking_a_session_closes_its_connection_and_removes_it_from_the_list()
    {
        var (device, daemon, api, tcp) = Serve();
        var kept = Track(TcpClientSession.Connect(tcp));
        daemon.WaitFor("session 1 on port lab: .* connected"); // so the next one is session 2
        var kicked = Track(TcpClientSession.Connect(tcp));
        daemon.WaitFor("session 2 on port lab: .* connected");

        var reply = await api.DeleteAsync("/api/sessions/lab:2");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True(kicked.WaitClosed(Timeout));
        daemon.WaitFor("session 2 on port lab: .* disconnected \\(kicked by loopback\\)");

        var ids = (await api.GetAsync("/api/ports/lab/sessions")).Json.EnumerateArray().Select(s => s.GetProperty("id").GetString());
        Assert.Equal(["lab:1"], ids);
        // The sentinel: after the kick, the other session still carries bytes both ways (it was not closed).
        kept.Send("still there?|");
        Assert.Equal("still there?|", device.ReadUntil("|", Timeout));
        device.Write("yes|");
        Assert.Equal("yes|", kept.ReadUntil("|", Timeout));
    }

    [Fact]
    public async Task Write_lock_goes_to_the_named_session()
    {
        var device = Track(VirtualSerialDevice.CreateTemp("lock"));
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.x { device = "{{device.LinkPath}}", write-policy = exclusive, listeners = [ { port = {{tcp}}, protocol = raw } ] }
            concentrator.api.allow-anonymous-actions = on
            """));
        daemon.WaitOnline("x");
        var api = Track(new ApiHttp(daemon.ApiUrl));
        // One after the other: session numbers follow admission, and two racing handshakes may be admitted in either order.
        var first = Track(TcpClientSession.Connect(tcp));
        daemon.WaitFor("session 1 on port x: .* connected");
        var second = Track(TcpClientSession.Connect(tcp));
        daemon.WaitFor("session 2 on port x: .* connected");

        var reply = await api.PostAsync("/api/ports/x/write-lock", """{"session":"x:2"}""");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        daemon.WaitFor("session 2 is now read-write");
        second.Send("mine");
        var got = Encoding.ASCII.GetString(device.ReadAvailable(Timeout));
        Assert.True(got == "mine", $"device got '{got}'\n{daemon.Output}");
        var roles = (await api.GetAsync("/api/ports/x/sessions")).Json.EnumerateArray().Select(s => s.GetProperty("role").GetString());
        Assert.Equal(["waiting", "read-write"], roles); // the old holder queues for the lock again
        GC.KeepAlive(first);
    }

    [Fact]
    public async Task Health_and_the_openapi_document_are_served()
    {
        var (_, _, api, _) = Serve();

        var health = await api.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.Status);
        Assert.Equal("healthy", health.Json.GetProperty("status").GetString());
        Assert.Equal("healthy", health.Json.GetProperty("checks").GetProperty("ports").GetProperty("status").GetString());

        var openapi = await api.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, openapi.Status);
        var paths = openapi.Json.GetProperty("paths");
        foreach (var path in new[] { "/api/ports", "/api/ports/{name}", "/api/ports/{name}/sessions", "/api/sessions/{id}",
                     "/api/ports/{name}/line", "/api/ports/{name}/break", "/api/ports/{name}/write-lock", "/api/reload" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} missing from the OpenAPI document");
        }
    }

    [Fact]
    public async Task Curl_lists_ports_and_kicks_a_session()
    {
        var (_, daemon, _, tcp) = Serve();
        var client = Track(TcpClientSession.Connect(tcp));
        daemon.WaitFor("session 1 on port lab: .* connected");

        var (code, body) = await Curl("-s", "-w", "\n%{http_code}", $"{daemon.ApiUrl}api/ports");
        Assert.Equal(0, code);
        var lines = body.TrimEnd().Split('\n');
        Assert.Equal("200", lines[^1]);
        var ports = JsonDocument.Parse(string.Join('\n', lines[..^1])).RootElement;
        Assert.Contains(ports.EnumerateArray(), p => p.GetProperty("name").GetString() == "lab");

        (code, body) = await Curl("-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "DELETE", $"{daemon.ApiUrl}api/sessions/lab:1");
        Assert.Equal(0, code);
        Assert.Equal("200", body);
        Assert.True(client.WaitClosed(Timeout));
    }

    private static async Task<(int Code, string Stdout)> Curl(params string[] args)
    {
        var curl = await ExternalCommand.RunAsync("curl", args, timeout: Timeout);
        return (curl.ExitCode, curl.Stdout);
    }
}
