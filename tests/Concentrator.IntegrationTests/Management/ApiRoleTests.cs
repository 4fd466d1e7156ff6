using System.Net;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Management;

/// <summary>
/// Issue 22, API roles: read, operate (actions only where the port's ACL lets the token write, and on a leased port only
/// as its holder — decided by the port), lease (acquire for itself; a scheduler needs nothing more) and admin; and
/// request ids bound to whoever asked, so replaying one read from <c>GET /api/leases</c> never yields its token.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // tokens file modes are POSIX
public sealed class ApiRoleTests : IntegrationTest
{
    private readonly TempDirectory _dir;

    public ApiRoleTests() => _dir = Track(new TempDirectory("roles"));

    private string TokensFile => Path.Combine(_dir.FullName, "tokens.conf");

    private string AddToken(string name, string role)
    {
        var (exit, stdout, stderr) = Cli.Run("token", "add", name, "--role", role, "--tokens-file", TokensFile);
        Assert.True(exit == 0, stderr);
        return stdout.Trim();
    }

    /// <summary>The three ports, online, and a client for the API.</summary>
    private (DaemonProcess Daemon, ApiHttp Api) Serve()
    {
        var daemon = Track(DaemonProcess.Start($$"""
        concentrator {
          ports {
            mine { device = "sim:echo", acl { read-write = ["web:ops"] }, listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
            theirs { device = "sim:echo", acl { read-write = ["alice"], read-only = ["web:ops"] }, listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
            open { device = "sim:echo", listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
          }
          api { tokens-file = "{{TokensFile}}", allow-anonymous-actions = off }
        }
        """));
        daemon.WaitOnline("open", "mine", "theirs");
        return (daemon, Track(new ApiHttp(daemon.ApiUrl)));
    }

    [Fact]
    public async Task An_operate_token_acts_only_where_the_port_lets_it_write_and_not_on_a_port_leased_to_someone_else()
    {
        var ops = AddToken("ops", "operate");
        var admin = AddToken("root", "admin");
        var reader = AddToken("grafana", "read");
        var (daemon, api) = Serve();
        const string brk = """{"durationMs":10}""";

        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Post, "/api/ports/mine/break", brk, ops)).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Post, "/api/ports/open/break", brk, ops)).Status);
        var refused = await api.SendAsync(HttpMethod.Post, "/api/ports/theirs/break", brk, ops);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains("may not write to port theirs (its ACL)", refused.Detail, StringComparison.Ordinal);
        var line = await api.SendAsync(HttpMethod.Put, "/api/ports/theirs/line", """{"baud":300}""", ops);
        Assert.Equal(HttpStatusCode.Forbidden, line.Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.SendAsync(HttpMethod.Delete, "/api/sessions/theirs:1", token2: ops)).Status);
        daemon.WaitFor("port theirs: refused an action of api token ops");

        // The port's lease goes to alice: now only she (or an admin) acts on it, the operate token no more.
        var lease = await api.SendAsync(HttpMethod.Post, "/api/leases", """{"port":"open","ttl":"10m","holder":"alice"}""", admin);
        Assert.Equal(HttpStatusCode.Created, lease.Status);
        var leased = await api.SendAsync(HttpMethod.Post, "/api/ports/open/break", brk, ops);
        Assert.Equal(HttpStatusCode.Forbidden, leased.Status);
        Assert.Contains("leased to alice", leased.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Post, "/api/ports/open/break", brk, admin)).Status);
        daemon.WaitFor("port open: break sent by api token root");

        // The refused requests changed nothing: theirs still has the line settings it started with.
        var theirs = await api.SendAsync(HttpMethod.Get, "/api/ports/theirs", token2: reader);
        Assert.NotEqual(300, theirs.Json.GetProperty("line").GetProperty("baud").GetInt32());
        Assert.DoesNotContain("port theirs: break sent", daemon.Output, StringComparison.Ordinal);

        // Roles below operate act nowhere; operate does not lease or reload.
        var readBreak = await api.SendAsync(HttpMethod.Post, "/api/ports/mine/break", brk, reader);
        Assert.Equal(HttpStatusCode.Forbidden, readBreak.Status);
        Assert.Contains("operate or admin", readBreak.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.SendAsync(HttpMethod.Post, "/api/leases", """{"port":"mine","ttl":"1m"}""", ops)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.SendAsync(HttpMethod.Post, "/api/reload", token2: ops)).Status);
    }

    [Fact]
    public async Task A_lease_token_acquires_for_itself_and_a_replayed_request_id_gets_nobody_else_the_token()
    {
        var scheduler = AddToken("sched", "lease");
        var mallory = AddToken("mallory", "lease");
        var admin = AddToken("root", "admin");
        var (daemon, api) = Serve();
        const string acquire = """{"port":"open","ttl":"10m","requestId":"job-42"}""";

        var granted = await api.SendAsync(HttpMethod.Post, "/api/leases", acquire, scheduler);
        Assert.Equal(HttpStatusCode.Created, granted.Status);
        var token = granted.Json.GetProperty("token").GetString()!;
        var listed = (await api.SendAsync(HttpMethod.Get, "/api/leases", token2: mallory)).Json.GetProperty("leases")[0];
        Assert.Equal("web:sched", listed.GetProperty("holder").GetString());
        Assert.Equal("job-42", listed.GetProperty("requestId").GetString());

        // What GET /api/leases shows, replayed by another caller (another lease token, even an admin): a new request
        // for a busy port, never the first one's lease or token.
        var replayBody = """{"port":"open","ttl":"10m","holder":"web:sched","requestId":"job-42"}""";
        var replayed = await api.SendAsync(HttpMethod.Post, "/api/leases", replayBody, mallory);
        Assert.Equal(HttpStatusCode.Forbidden, replayed.Status); // a lease token names no other holder
        Assert.Equal("holder", replayed.Field);
        var asItself = await api.SendAsync(HttpMethod.Post, "/api/leases", acquire, mallory);
        Assert.Equal(HttpStatusCode.Conflict, asItself.Status);
        var byAdmin = await api.SendAsync(HttpMethod.Post, "/api/leases", replayBody, admin);
        Assert.Equal(HttpStatusCode.Conflict, byAdmin.Status);
        Assert.DoesNotContain(token, asItself.Text + byAdmin.Text + replayed.Text, StringComparison.Ordinal);

        // The scheduler's own retry is idempotent: the same lease and token back.
        var retry = await api.SendAsync(HttpMethod.Post, "/api/leases", acquire, scheduler);
        Assert.Equal(HttpStatusCode.Created, retry.Status);
        Assert.Equal(granted.Json.GetProperty("lease").GetString(), retry.Json.GetProperty("lease").GetString());
        Assert.Equal(token, retry.Json.GetProperty("token").GetString());

        // A lease token revokes nothing; its own lease it releases with the lease's token.
        var id = granted.Json.GetProperty("lease").GetString()!;
        Assert.Equal(HttpStatusCode.Forbidden, (await api.SendAsync(HttpMethod.Post, $"/api/leases/{id}/revoke", "{}", scheduler)).Status);
        Assert.Equal(HttpStatusCode.OK, (await ApiHttp.WithLeaseTokenAsync(daemon.ApiUrl, HttpMethod.Delete, $"/api/leases/{id}", token)).Status);
    }
}
