using System.Net.Sockets;
using System.Text;
using Concentrator.Ports.Audit;

namespace Concentrator.Ports.Tests.Recording;

/// <summary>
/// The audit trail's journal entries, received on a datagram socket of our own as journald would receive them: the
/// native protocol's KEY=value lines, the line as MESSAGE and each field as CONCENTRATOR_KEY.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class JournalSinkTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("journal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void An_audit_line_reaches_the_journal_socket_with_structured_fields()
    {
        var path = Path.Combine(_dir, "socket");
        using var journald = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        journald.Bind(new UnixDomainSocketEndPoint(path));
        journald.ReceiveTimeout = 10_000;

        var sink = JournalSink.FromEnvironment(name => name == "JOURNAL_STREAM" ? "8:1234" : null, path);
        Assert.NotNull(sink);
        Assert.Null(JournalSink.FromEnvironment(_ => null, path)); // not under systemd: no journal
        using var trail = new AuditTrail(new Audit.AuditSettings(null), sink);
        trail.Record("login", "alice", System.Net.IPAddress.Parse("127.0.0.2"), "p", "failed", ("reason", "wrong\npassword"));

        var buffer = new byte[65536];
        var entry = Encoding.UTF8.GetString(buffer, 0, journald.Receive(buffer));
        var fields = entry.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal("login", fields["CONCENTRATOR_ACTION"]);
        Assert.Equal("alice", fields["CONCENTRATOR_PRINCIPAL"]);
        Assert.Equal("127.0.0.2", fields["CONCENTRATOR_SOURCE"]);
        Assert.Equal("p", fields["CONCENTRATOR_PORT"]);
        Assert.Equal("failed", fields["CONCENTRATOR_OUTCOME"]);
        Assert.Equal("wrong password", fields["CONCENTRATOR_REASON"]); // one line per field
        Assert.Equal("concentrator", fields["SYSLOG_IDENTIFIER"]);
        Assert.StartsWith("{\"time\":", fields["MESSAGE"], StringComparison.Ordinal);
    }
}
