using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Management;

/// <summary>Leases through the real daemon: the HTTP API, the CLI, and write enforcement on a pty.</summary>
public sealed class LeaseTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private (VirtualSerialDevice Device, DaemonProcess Daemon, ApiHttp Api, int Tcp) Serve(string leases = "")
    {
        var device = Track(VirtualSerialDevice.CreateTemp("lease"));
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator {
              ports {
                lab { device = "{{device.LinkPath}}", tags = ["rack-3", "board:rpi4"], listeners = [ { port = {{tcp}}, protocol = raw } ] }
                echo { device = "sim:echo", tags = ["rack-3"], listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
              }
              api.allow-anonymous-actions = on
              {{leases}}
            }
            """));
        daemon.WaitOnline("lab", "echo");
        return (device, daemon, Track(new ApiHttp(daemon.ApiUrl)), tcp);
    }

    private static Task<ApiReply> AcquireAsync(ApiHttp api, string json) => api.PostAsync("/api/leases", json);

    private static Task<ApiReply> WithLeaseTokenAsync(DaemonProcess daemon, HttpMethod method, string path, string token, string? json = null) =>
        ApiHttp.WithLeaseTokenAsync(daemon.ApiUrl, method, path, token, json);

    [Fact]
    public async Task Acquire_by_name_and_by_tag_then_list_shows_them_without_tokens()
    {
        var (_, daemon, api, tcp) = Serve();

        var byName = await AcquireAsync(api, """{"port":"lab","ttl":"10m","holder":"ci-1"}""");
        Assert.Equal(HttpStatusCode.Created, byName.Status);
        var lease = byName.Json;
        Assert.Equal("lab", lease.GetProperty("port").GetString());
        Assert.EndsWith($":{tcp}", lease.GetProperty("endpoint").GetString(), StringComparison.Ordinal);
        Assert.True(lease.GetProperty("epoch").GetInt64() >= 1);
        var token = lease.GetProperty("token").GetString()!;
        Assert.False(string.IsNullOrEmpty(token));
        Assert.True(lease.GetProperty("expires").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(9));

        // rack-3 matches lab (leased) and echo (free): the tag lease gets echo.
        var byTag = await AcquireAsync(api, """{"tags":["rack-3"],"ttl":"5m"}""");
        Assert.Equal(HttpStatusCode.Created, byTag.Status);
        Assert.Equal("echo", byTag.Json.GetProperty("port").GetString());

        var list = await api.GetAsync("/api/leases");
        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.DoesNotContain(token, list.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(byTag.Json.GetProperty("token").GetString()!, list.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"token\"", list.Text, StringComparison.Ordinal);
        var leases = list.Json.GetProperty("leases").EnumerateArray().ToList();
        Assert.Equal(["echo", "lab"], leases.Select(l => l.GetProperty("port").GetString()).Order());
        Assert.Equal("ci-1", leases.Single(l => l.GetProperty("port").GetString() == "lab").GetProperty("holder").GetString());

        var cli = Cli.Run("lease", "list", "--api", daemon.ApiUrl.ToString());
        Assert.Equal(0, cli.ExitCode);
        Assert.Contains("ci-1", cli.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(token, cli.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_port_or_tag_is_404_and_a_ttl_over_the_limit_is_400_naming_it()
    {
        var (_, _, api, _) = Serve("leases { max-ttl = 1h }"); // the test daemon adds a store of its own

        var port = await AcquireAsync(api, """{"port":"nope","ttl":"10m"}""");
        Assert.Equal(HttpStatusCode.NotFound, port.Status);
        Assert.Contains("nope", port.Detail, StringComparison.Ordinal);

        var tag = await AcquireAsync(api, """{"tags":["no-such-tag"],"ttl":"10m"}""");
        Assert.Equal(HttpStatusCode.NotFound, tag.Status);
        Assert.Contains("no-such-tag", tag.Detail, StringComparison.Ordinal);

        var ttl = await AcquireAsync(api, """{"port":"lab","ttl":"2h"}""");
        Assert.Equal(HttpStatusCode.BadRequest, ttl.Status);
        Assert.Equal("ttl", ttl.Field);
        Assert.Contains("max-ttl", ttl.Detail, StringComparison.Ordinal);

        var garbage = await AcquireAsync(api, """{"port":"lab","ttl":"soon"}""");
        Assert.Equal(HttpStatusCode.BadRequest, garbage.Status);
        Assert.Equal("ttl", garbage.Field);
    }

    [Fact]
    public async Task A_second_acquire_of_a_leased_port_waits_then_gets_409_and_the_cli_exits_3()
    {
        var (_, daemon, api, _) = Serve();
        Assert.Equal(HttpStatusCode.Created, (await AcquireAsync(api, """{"port":"lab","ttl":"10m"}""")).Status);

        var clock = Stopwatch.StartNew();
        var second = await AcquireAsync(api, """{"port":"lab","ttl":"10m","wait":"1s"}""");
        Assert.Equal(HttpStatusCode.Conflict, second.Status);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"answered after {clock.Elapsed}");

        var cli = Cli.Run("lease", "acquire", "lab", "--ttl", "10m", "--wait", "1s", "--api", daemon.ApiUrl.ToString());
        Assert.Equal(3, cli.ExitCode);
        Assert.Equal("", cli.Stdout);
    }

    [Fact]
    public async Task Renew_and_release_need_the_lease_token_a_wrong_one_is_403_and_changes_nothing()
    {
        var (_, daemon, api, _) = Serve();
        var lease = (await AcquireAsync(api, """{"port":"lab","ttl":"1m"}""")).Json;
        var id = lease.GetProperty("lease").GetString()!;
        var token = lease.GetProperty("token").GetString()!;
        var expires = lease.GetProperty("expires").GetDateTimeOffset();

        var wrong = await WithLeaseTokenAsync(daemon, HttpMethod.Post, $"/api/leases/{id}/renew", "not-the-token", """{"ttl":"10m"}""");
        Assert.Equal(HttpStatusCode.Forbidden, wrong.Status);
        var wrongRelease = await WithLeaseTokenAsync(daemon, HttpMethod.Delete, $"/api/leases/{id}", "not-the-token");
        Assert.Equal(HttpStatusCode.Forbidden, wrongRelease.Status);
        var still = (await api.GetAsync("/api/leases")).Json.GetProperty("leases").EnumerateArray().Single();
        Assert.Equal(expires, still.GetProperty("expires").GetDateTimeOffset());

        var renewed = await WithLeaseTokenAsync(daemon, HttpMethod.Post, $"/api/leases/{id}/renew", token, """{"ttl":"10m"}""");
        Assert.Equal(HttpStatusCode.OK, renewed.Status);
        Assert.True(renewed.Json.GetProperty("expires").GetDateTimeOffset() > expires.AddMinutes(5));
        Assert.DoesNotContain(token, renewed.Text, StringComparison.Ordinal);

        var noToken = await api.DeleteAsync($"/api/leases/{id}");
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.Status);

        var released = await WithLeaseTokenAsync(daemon, HttpMethod.Delete, $"/api/leases/{id}", token);
        Assert.Equal(HttpStatusCode.OK, released.Status);
        Assert.Equal(0, (await api.GetAsync("/api/leases")).Json.GetProperty("leases").GetArrayLength());

        var again = await WithLeaseTokenAsync(daemon, HttpMethod.Post, $"/api/leases/{id}/renew", token);
        Assert.Equal(HttpStatusCode.Gone, again.Status);
    }

    [Fact]
    public void The_cli_acquires_renews_releases_and_revokes()
    {
        var (_, daemon, _, _) = Serve();
        var url = daemon.ApiUrl.ToString();

        var acquired = Cli.Run("lease", "acquire", "--tag", "board:rpi4", "--ttl", "10m", "--holder", "ci-7", "--request-id", "job-1", "--api", url);
        Assert.True(acquired.ExitCode == 0, acquired.Stderr);
        var grant = JsonDocument.Parse(acquired.Stdout).RootElement;
        Assert.Equal("lab", grant.GetProperty("port").GetString());
        var id = grant.GetProperty("lease").GetString()!;
        var token = grant.GetProperty("token").GetString()!;

        var retried = Cli.Run("lease", "acquire", "--tag", "board:rpi4", "--ttl", "10m", "--holder", "ci-7", "--request-id", "job-1", "--api", url);
        Assert.True(retried.ExitCode == 0, retried.Stderr);
        Assert.Equal(id, JsonDocument.Parse(retried.Stdout).RootElement.GetProperty("lease").GetString());

        var renewed = Cli.Run("lease", "renew", id, "--token", token, "--api", url);
        Assert.True(renewed.ExitCode == 0, renewed.Stderr);
        Assert.Contains("renewed", renewed.Stdout, StringComparison.Ordinal);

        var wrong = Cli.Run("lease", "release", id, "--token", "wrong", "--api", url);
        Assert.NotEqual(0, wrong.ExitCode);

        var released = Cli.Run("lease", "release", id, "--token", token, "--api", url);
        Assert.True(released.ExitCode == 0, released.Stderr);

        var second = JsonDocument.Parse(Cli.Run("lease", "acquire", "lab", "--ttl", "10m", "--api", url).Stdout).RootElement;
        Assert.True(second.GetProperty("epoch").GetInt64() > grant.GetProperty("epoch").GetInt64());
        var revoked = Cli.Run("lease", "revoke", second.GetProperty("lease").GetString()!, "--api", url);
        Assert.True(revoked.ExitCode == 0, revoked.Stderr);
        var list = Cli.Run("lease", "list", "--json", "--api", url);
        Assert.Equal(0, JsonDocument.Parse(list.Stdout).RootElement.GetProperty("leases").GetArrayLength());
    }

    [Fact]
    public async Task Only_the_for_host_writes_while_the_port_is_leased_and_everyone_writes_after_release()
    {
        var (device, daemon, api, tcp) = Serve();
        var lease = (await AcquireAsync(api, """{"port":"lab","ttl":"10m","forHost":"127.0.0.2"}""")).Json;

        var holder = Track(TcpClientSession.ConnectFrom("127.0.0.2", tcp));
        var other = Track(TcpClientSession.Connect(tcp));
        Eventually.True(() => api.GetAsync("/api/ports/lab/sessions").Result.Json.GetArrayLength() == 2, Timeout, () => "two sessions");

        other.Send("from-other\n");
        SessionInput.WaitHandled(api, "lab", other, sent: 11);
        holder.Send("from-holder\n");
        // The sentinel: the device's next bytes are the holder's, so what the other typed before never reached it.
        Assert.Equal("from-holder\n", device.ReadUntil("from-holder\n", Timeout));

        // Both see what the device says.
        device.Write("hello\n");
        holder.ReadUntil("hello", Timeout);
        other.ReadUntil("hello", Timeout);

        var released = await WithLeaseTokenAsync(daemon, HttpMethod.Delete, $"/api/leases/{lease.GetProperty("lease").GetString()}",
            lease.GetProperty("token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, released.Status);

        Eventually.True(() =>
        {
            other.Send("after\n");
            return Encoding.Latin1.GetString(device.ReadAvailable(TimeSpan.FromMilliseconds(300))).Contains("after", StringComparison.Ordinal);
        }, Timeout, () => "the other client writes after the release");
    }

    [Fact]
    public async Task A_restarted_daemon_keeps_the_lease_with_the_same_epoch()
    {
        var store = Path.Combine(Path.GetTempPath(), $"leases-{Guid.NewGuid():N}.db");
        try
        {
            var device = Track(VirtualSerialDevice.CreateTemp("lease"));
            var hocon = $$"""
                concentrator {
                  ports.lab { device = "{{device.LinkPath}}", listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
                  api { port = {{FreeTcpPort.Next()}}, allow-anonymous-actions = on }
                  leases.store = "sqlite:{{store}}"
                }
                """;
            JsonElement lease;
            using (var first = DaemonProcess.Start(hocon))
            {
                first.WaitOnline("lab");
                using var api = new ApiHttp(first.ApiUrl);
                var reply = await AcquireAsync(api, """{"port":"lab","ttl":"10m","holder":"ci-9"}""");
                Assert.Equal(HttpStatusCode.Created, reply.Status);
                lease = reply.Json;
            }

            using var second = DaemonProcess.Start(hocon);
            second.WaitOnline("lab");
            using var api2 = new ApiHttp(second.ApiUrl);
            var kept = (await api2.GetAsync("/api/leases")).Json.GetProperty("leases").EnumerateArray().Single();
            Assert.Equal(lease.GetProperty("lease").GetString(), kept.GetProperty("id").GetString());
            Assert.Equal(lease.GetProperty("epoch").GetInt64(), kept.GetProperty("epoch").GetInt64());
            Assert.Equal("ci-9", kept.GetProperty("holder").GetString());
            var renewed = await WithLeaseTokenAsync(second, HttpMethod.Post, $"/api/leases/{kept.GetProperty("id").GetString()}/renew",
                lease.GetProperty("token").GetString()!);
            Assert.Equal(HttpStatusCode.OK, renewed.Status);
        }
        finally
        {
            foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
            {
                File.Delete(store + suffix);
            }
        }
    }

    [Fact]
    public async Task The_event_stream_shows_the_current_leases_then_every_change()
    {
        var (_, daemon, api, _) = Serve();
        using var http = new HttpClient { BaseAddress = daemon.ApiUrl, Timeout = Timeout };
        using var response = await http.GetAsync("/api/leases/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var cancel = new CancellationTokenSource(Timeout);

        async Task<(string Event, string Data)> NextAsync()
        {
            string? name = null;
            while (await reader.ReadLineAsync(cancel.Token) is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    return (name!, line["data: ".Length..]);
                }
            }

            throw new EndOfStreamException();
        }

        var current = await NextAsync();
        Assert.Equal(("current", "[]"), current);

        var lease = (await AcquireAsync(api, """{"port":"lab","ttl":"10m"}""")).Json;
        var granted = await NextAsync();
        Assert.Equal("granted", granted.Event);
        Assert.Contains(lease.GetProperty("lease").GetString()!, granted.Data, StringComparison.Ordinal);
        Assert.DoesNotContain(lease.GetProperty("token").GetString()!, granted.Data, StringComparison.Ordinal);

        await WithLeaseTokenAsync(daemon, HttpMethod.Delete, $"/api/leases/{lease.GetProperty("lease").GetString()}", lease.GetProperty("token").GetString()!);
        Assert.Equal("released", (await NextAsync()).Event);
    }
}
