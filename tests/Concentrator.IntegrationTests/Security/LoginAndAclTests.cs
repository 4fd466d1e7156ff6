using Concentrator.Testing;
using static Concentrator.IntegrationTests.Security.PasswordLogins;

namespace Concentrator.IntegrationTests.Security;

/// <summary>
/// auth = password against a users file written by `concentrator passwd`, and a port ACL: who gets in, as what, and
/// what everyone else is told. Each client comes from its own loopback address, so per-source limits and the
/// once-per-source log lines are seen per client.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LoginAndAclTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private (DaemonProcess Daemon, int Telnet, int Rfc2217) Serve()
    {
        var dir = Track(new TempDirectory("login"));
        var users = Path.Combine(dir.FullName, "users.conf");
        Passwd(users, "alice", "alice's secret", "ops,dev");
        Passwd(users, "bob", "bob's secret");
        Passwd(users, "dave", "dave's secret");
        var telnet = FreeTcpPort.Next();
        var rfc2217 = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.security { users-file = "{{users}}", handshake-timeout = 2s, login-attempts = 3 }
            concentrator.ports.p {
              device = "sim:echo"
              acl { read-write = ["@ops"], read-only = ["bob"] }
              listeners = [
                { port = {{telnet}}, protocol = telnet, auth = password, replay = off }
                { port = {{rfc2217}}, protocol = rfc2217, auth = password }
              ]
            }
            """));
        daemon.WaitOnline("p");
        return (daemon, telnet, rfc2217);
    }

    [Fact]
    public void The_users_file_is_written_atomically_with_mode_0600_and_bcrypt_hashes()
    {
        var dir = Track(new TempDirectory("passwd"));
        var users = Path.Combine(dir.FullName, "users.conf");
        Passwd(users, "alice", "first", "ops");
        Passwd(users, "bob", "second");
        Passwd(users, "alice", "changed"); // keeps her groups
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(users));
        var lines = File.ReadAllLines(users).Where(l => !l.StartsWith('#')).ToArray();
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^alice:\$2b\$12\$[./A-Za-z0-9]{53}:ops$", lines[0]);
        Assert.Matches(@"^bob:\$2b\$12\$[./A-Za-z0-9]{53}:$", lines[1]);
        Assert.DoesNotContain("changed", File.ReadAllText(users), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.FullName, "*.tmp"));
    }

    [Fact]
    public void A_password_login_names_the_principal_and_the_acl_decides_read_write_read_only_or_refused()
    {
        var (daemon, telnet, _) = Serve();

        // alice (@ops): read-write. Her name is echoed, her password never.
        using var alice = LogIn("127.0.0.2", telnet, "alice", "alice's secret");
        var said = alice.ReadUntil("[concentrator: logged in as alice]", Timeout);
        Assert.DoesNotContain("secret", said, StringComparison.Ordinal);
        Assert.Contains("alice", said, StringComparison.Ordinal);
        daemon.WaitFor("127.0.0.2:\\d+ connected as alice \\(telnet, read-write\\)");
        alice.Send("from alice\r");
        alice.ReadUntil("from alice", Timeout);

        // bob: only in read-only, so a monitor; his input never reaches the device.
        using var bob = LogIn("127.0.0.3", telnet, "bob", "bob's secret");
        bob.ReadUntil("logged in as bob", Timeout);
        daemon.WaitFor("127.0.0.3:\\d+ connected as bob \\(telnet, read-only\\)");
        bob.Send("from bob\r");
        bob.ReadUntil("read-only: your input is not sent to the device", Timeout);

        // dave: a good password, but in neither list: one line and the door.
        using var dave = LogIn("127.0.0.4", telnet, "dave", "dave's secret");
        dave.ReadUntil("concentrator: dave may not use port p", Timeout);
        Assert.True(dave.WaitClosed(Timeout));
        daemon.WaitFor("port p: refused 127.0.0.4:\\d+ \\(dave\\): dave is not in the acl of port p");

        // A wrong password and an unknown user look the same to the client; the log tells them apart.
        using var wrong = LogIn("127.0.0.5", telnet, "alice", "guess");
        wrong.ReadUntil("Login incorrect", Timeout);
        daemon.WaitFor("127.0.0.5:\\d+ login failed for 'alice' \\(wrong password\\)");
        using var unknown = LogIn("127.0.0.6", telnet, "carol", "guess");
        unknown.ReadUntil("Login incorrect", Timeout);
        daemon.WaitFor("127.0.0.6:\\d+ login failed for 'carol' \\(unknown user\\)");

        Assert.DoesNotContain("guess", daemon.Output, StringComparison.Ordinal); // secrets are never logged
        Assert.DoesNotContain("secret", daemon.Output, StringComparison.Ordinal);
        alice.Send("still alice\r");
        alice.ReadUntil("still alice", Timeout); // nobody else's failure touched her session
    }

    [Fact]
    public void A_stalled_login_is_closed_and_a_source_that_keeps_failing_is_refused_at_accept()
    {
        var (daemon, telnet, _) = Serve();

        using var silent = TcpClientSession.ConnectFrom("127.0.0.8", telnet);
        silent.ReadUntil("login: ", Timeout);
        Assert.True(silent.WaitClosed(Timeout)); // handshake-timeout (2 s) per prompt
        daemon.WaitFor("127.0.0.8:\\d+ login timeout");

        // login-attempts = 3 per minute per source: three failures, then the source is turned away before any prompt.
        using (var guesser = LogIn("127.0.0.9", telnet, "alice", "one"))
        {
            guesser.ReadUntil("login: ", Timeout);
            guesser.Send("alice\r\n");
            guesser.ReadUntil("Password: ", Timeout);
            guesser.Send("two\r\n");
            guesser.ReadUntil("login: ", Timeout);
            guesser.Send("alice\r\n");
            guesser.ReadUntil("Password: ", Timeout);
            guesser.Send("three\r\n");
            guesser.ReadUntil("too many failed logins from your address", Timeout);
            Assert.True(guesser.WaitClosed(Timeout));
        }

        using var again = TcpClientSession.ConnectFrom("127.0.0.9", telnet);
        Assert.True(again.WaitClosed(Timeout));
        Assert.Equal("", again.PendingText);
        daemon.WaitFor("refused 127.0.0.9: 3 failed logins within a minute \\(login-attempts 3\\)");

        // Another source logs in as usual.
        using var alice = LogIn("127.0.0.10", telnet, "alice", "alice's secret");
        alice.ReadUntil("logged in as alice", Timeout);
    }

    [Fact]
    public void Our_clients_answer_the_prompts_and_rfc2217_port_control_is_for_read_write_sessions_only()
    {
        var (daemon, _, rfc2217) = Serve();

        using var attach = RunningProcess.Concentrator(["attach", $"127.0.0.1:{rfc2217}", "--user", "alice"],
            new Dictionary<string, string> { ["CONCENTRATOR_PASSWORD"] = "alice's secret" });
        daemon.WaitFor("connected as alice \\(rfc2217, read-write\\)");
        attach.Write("attach logged in\n");
        attach.WaitFor("attach logged in", Timeout);

        using var refused = RunningProcess.Concentrator(["attach", $"127.0.0.1:{rfc2217}", "--user", "alice"],
            new Dictionary<string, string> { ["CONCENTRATOR_PASSWORD"] = "not it" });
        Assert.Equal(1, refused.WaitForExit(Timeout));
        Assert.Contains("login incorrect for alice", refused.Output, StringComparison.Ordinal);

        // bob is read-only by the ACL: his SET-BAUDRATE 9600 is answered with the rate in effect, 115200.
        using var bob = LogIn("127.0.0.11", rfc2217, "bob", "bob's secret");
        bob.ReadUntil("logged in as bob", Timeout);
        bob.Send([255, 250, 44, 1, 0, 0, 0x25, 0x80, 255, 240]);
        bob.ReadUntil("\u00ff\u00fa\u002c\u0065\u0000\u0001\u00c2\u0000\u00ff\u00f0", Timeout);
    }

    [Fact]
    public void Our_client_never_types_the_password_into_a_console_that_asks_for_one()
    {
        // A listener with no login, on a device whose console prints its own login prompt (issue 22, item 6).
        var device = Track(VirtualSerialDevice.CreateTemp("console-login"));
        var tcp = FreeTcpPort.Next();
        var raw = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.c {
              device = "{{device.LinkPath}}"
              listeners = [ { port = {{tcp}}, protocol = rfc2217 }, { port = {{raw}}, protocol = raw } ]
            }
            """));
        daemon.WaitOnline("c");
        using var attach = RunningProcess.Concentrator(["attach", $"127.0.0.1:{tcp}", "--user", "alice"],
            new Dictionary<string, string> { ["CONCENTRATOR_PASSWORD"] = "alice's secret" });
        daemon.WaitFor("session 1 on port c: .* connected");
        device.Write("\r\nboard login: ");

        Assert.Equal(1, attach.WaitForExit(Timeout));
        Assert.Contains("asks for no login", attach.Output, StringComparison.Ordinal);
        // The sentinel: the next bytes the device gets are another client's, so nothing of alice's was typed into it.
        using var other = TcpClientSession.Connect(raw);
        daemon.WaitFor("session 2 on port c: .* connected");
        other.Send("|");
        Assert.Equal("|", device.ReadUntil("|", Timeout));
    }
}
