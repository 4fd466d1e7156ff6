using System.Net;
using System.Text.Json;
using Concentrator.IntegrationTests.Management;
using Concentrator.IntegrationTests.Security;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Recordings;

/// <summary>
/// Issue 27's audit trail through the real daemon: every action this test takes — a failed and a good login, a join,
/// the write lock, line settings, a break, a lease, a kick, the leave it causes, a reload — is one JSON line with
/// who, from where, on which port and how it ended, in a 0640 file and from <c>GET /api/audit</c> (audit right only).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AuditTrailTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_audit_trail_lists_every_action_the_test_performed()
    {
        var dir = Track(new TempDirectory("audit"));
        var users = Path.Combine(dir.FullName, "users.conf");
        PasswordLogins.Passwd(users, "alice", "alice's secret");
        var tokens = Path.Combine(dir.FullName, "tokens.conf");
        var root = RecordingTests.AddToken(tokens, "root", "admin");
        var auditor = RecordingTests.AddToken(tokens, "auditor", "audit");
        var operate = RecordingTests.AddToken(tokens, "ops", "operate");
        var telnet = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.security { users-file = "{{users}}" }
            concentrator.api { tokens-file = "{{tokens}}", allow-anonymous-actions = off }
            concentrator.ports.p {
              device = "sim:echo"
              acl { read-write = ["alice"] }
              listeners = [ { port = {{telnet}}, protocol = telnet, auth = password, replay = off, deny = ["127.0.0.9/32"] } ]
            }
            """));
        daemon.WaitOnline("p");
        using var api = new ApiHttp(daemon.ApiUrl);

        using (var denied = TcpClientSession.ConnectFrom("127.0.0.9", telnet))
        {
            Assert.True(denied.WaitClosed(Timeout)); // the listener's deny list
        }

        using (var wrong = PasswordLogins.LogIn("127.0.0.5", telnet, "alice", "a guess"))
        {
            wrong.ReadUntil("Login incorrect", Timeout);
        }

        var alice = Track(PasswordLogins.LogIn("127.0.0.2", telnet, "alice", "alice's secret"));
        alice.ReadUntil("logged in as alice", Timeout);
        daemon.WaitFor("session 1 on port p");
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Post, "/api/ports/p/write-lock", """{"session":"p:1"}""", root)).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Put, "/api/ports/p/line", """{"baud":9600}""", root)).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Post, "/api/ports/p/break", """{"durationMs":10}""", root)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.SendAsync(HttpMethod.Post, "/api/ports/p/break", """{"durationMs":10}""", operate)).Status);
        Assert.Equal(HttpStatusCode.Created, (await api.SendAsync(HttpMethod.Post, "/api/leases", """{"port":"p","ttl":"10m","holder":"alice"}""", root)).Status);
        daemon.WaitFor("port p: leased to alice");
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Delete, "/api/sessions/p:1", token2: root)).Status);
        daemon.WaitFor("session 1 .*disconnected|session 1 from .* disconnected|port p: session 1 kicked");
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Post, "/api/reload", token2: root)).Status);

        var expected = new (string Action, string Outcome, string? Principal, string? Source)[]
        {
            ("connect", "refused", null, "127.0.0.9"),
            ("login", "failed", "alice", "127.0.0.5"),
            ("login", "ok", "alice", "127.0.0.2"),
            ("join", "ok", "alice", "127.0.0.2"),
            ("write-lock", "ok", "api token root", null),
            ("line", "ok", "api token root", null),
            ("break", "ok", "api token root", null),
            ("action", "refused", "api token ops", null),
            ("lease", "granted", "alice", null),
            ("kick", "ok", "api token root", null),
            ("leave", "ok", "alice", "127.0.0.2"),
            ("reload", "ok", "api token root", null),
        };
        List<JsonElement> lines = [];
        await Eventually.TrueAsync(async () =>
        {
            var reply = await api.SendAsync(HttpMethod.Get, "/api/audit?lines=100000", token2: auditor);
            lines = [.. reply.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];
            return expected.All(e => lines.Any(l => Matches(l, e)));
        }, Timeout, () => $"missing {string.Join(", ", expected.Where(e => !lines.Any(l => Matches(l, e))))} in\n{string.Join('\n', lines.Where(l => l.GetProperty("action").GetString() != "audit-read"))}");

        // In the order they happened, each with a time and the port it was on.
        var order = expected.Select(e => lines.FindIndex(l => Matches(l, e))).ToList();
        Assert.Equal(order.Order(), order);
        Assert.All(lines.Where(l => l.GetProperty("action").GetString() is "join" or "line" or "break" or "kick"),
            l => Assert.Equal("p", l.GetProperty("port").GetString()));
        Assert.All(lines, l => Assert.True(l.GetProperty("time").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5)));
        Assert.DoesNotContain("guess", File.ReadAllText(daemon.AuditFile!), StringComparison.Ordinal); // a password never
        Assert.DoesNotContain("secret", File.ReadAllText(daemon.AuditFile!), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(daemon.AuditFile!));

        // Only the audit right (or admin) reads it; reading it is itself written down.
        Assert.Equal(HttpStatusCode.Forbidden, (await api.SendAsync(HttpMethod.Get, "/api/audit", token2: operate)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/api/audit")).Status);
        Assert.Contains("\"action\":\"audit-read\"", File.ReadAllText(daemon.AuditFile!), StringComparison.Ordinal);
    }

    private static bool Matches(JsonElement line, (string Action, string Outcome, string? Principal, string? Source) e) =>
        line.GetProperty("action").GetString() == e.Action && line.GetProperty("outcome").GetString() == e.Outcome &&
        line.GetProperty("principal").GetString() == e.Principal &&
        (e.Source is null || line.GetProperty("source").GetString() == e.Source);
}
