using System.Net.Sockets;
using System.Text;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Security;

/// <summary>
/// Issue 26, the SSH front door, end to end on the system's OpenSSH: a real sshd on a loopback port whose config is
/// exactly the Match block <c>concentrator ssh-config</c> prints (only the listening port, host key and pid file of a
/// test sshd added), one console account made with useradd for the test, SSH keys and a user CA from ssh-keygen, keys
/// given to users with <c>concentrator passwd --add-key</c>, and the real ssh client. The tests run as root (sshd must
/// switch users), like SshEntryTests and ShippedConfigTests.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SshFrontDoorTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const int Sigusr1 = 10; // makes the sized pty below 100x30

    [Fact]
    public void Keys_map_to_users_with_their_rights_the_menu_lists_and_unknown_keys_are_refused()
    {
        var door = Open();

        // alice (@ops: read-write) types into the device.
        var alice = Track(door.Ssh("alice", "lab"));
        door.Daemon.WaitFor("session \\d+ on port lab: 127\\.0\\.0\\.1:\\d+ connected as alice \\(raw, read-write\\)", Timeout);
        alice.Write("typed-by-alice\r");
        door.Device.ReadUntil("typed-by-alice", Timeout);

        // bob (read-only) only watches: what he types never reaches the device. His escape command after it is answered
        // in stream order, so once he sees that answer his line has been dealt with; alice's sentinel comes after.
        var bob = Track(door.Ssh("bob", "lab"));
        door.Daemon.WaitFor("session \\d+ on port lab: 127\\.0\\.0\\.1:\\d+ connected as bob \\(raw, read-only\\)", Timeout);
        bob.Write("typed-by-bob\r\u0005cb");
        bob.WaitFor("read-only: break not sent", Timeout);
        alice.Write("sentinel-after-bob\r");
        Assert.DoesNotContain("typed-by-bob", door.Device.ReadUntil("sentinel-after-bob", Timeout), StringComparison.Ordinal);
        door.Device.Write("from-the-device\r\n");
        bob.WaitFor("from-the-device", Timeout); // but he sees the console

        // The escape command b is the break over SSH (OpenSSH's ~B cannot reach a ForceCommand on Linux: see README).
        alice.Write("\u0005cb");
        alice.WaitFor("break sent", Timeout);

        // An unknown key gets no further than sshd.
        var stranger = door.Ssh("stranger", "lab");
        Assert.Equal(255, stranger.WaitForExit(Timeout));
        Assert.Contains("Permission denied (publickey)", stranger.Output, StringComparison.Ordinal);

        // `ssh console@host ports` without a pty: each user sees the ports the ACL gives them, and how.
        var bobPorts = door.Ssh("bob", "ports", tty: false);
        Assert.Equal(0, bobPorts.WaitForExit(Timeout));
        Assert.Equal("lab\tread-only\tlab", bobPorts.Stdout.Trim());
        var alicePorts = door.Ssh("alice", "ports", tty: false);
        Assert.Equal(0, alicePorts.WaitForExit(Timeout));
        Assert.Equal(["echo\tread-write\track-b", "lab\tread-write\tlab"], alicePorts.Stdout.Trim().Split('\n'));

        // The menu: filter by tag, pick by number; the echo port answers.
        var menu = Track(door.Ssh("alice", null));
        menu.WaitFor("2 port\\(s\\)", Timeout);
        menu.Write("/rack-b\r");
        menu.WaitFor("1 port\\(s\\) tagged rack-b", Timeout);
        menu.Write("1\r");
        door.Daemon.WaitFor("session \\d+ on port echo: .* connected as alice", Timeout);
        menu.Write("echoed-after-the-menu\r");
        menu.WaitFor("echoed-after-the-menu", Timeout);
        menu.Write("\u0005c.");
        Assert.Equal(0, menu.WaitForExit(Timeout));
    }

    [Fact]
    public async Task A_certificate_of_the_user_ca_logs_in_as_its_principal_and_another_ca_or_a_local_claim_does_not()
    {
        var door = Open();
        var ca = door.Key("ca");
        door.Key("carol");
        door.Sign(ca, "carol", "nobody,alice"); // the first principal that is a user: alice
        var otherCa = door.Key("other-ca");
        door.Key("mallory");
        door.Sign(otherCa, "mallory", "alice");

        var carol = door.Ssh("carol", "ports", tty: false);
        Assert.Equal(0, carol.WaitForExit(Timeout));
        Assert.Contains("lab\tread-write\tlab", carol.Stdout, StringComparison.Ordinal);
        // Through a terminal of 132x43 (ssh in a pty of that size): the size reaches the session list.
        var session = Track(door.Ssh("carol", "lab", windowSize: (132, 43)));
        door.Daemon.WaitFor("session \\d+ on port lab: 127\\.0\\.0\\.1:\\d+ connected as alice \\(raw, read-write\\)", Timeout);
        session.Write("typed-with-a-certificate\r");
        door.Device.ReadUntil("typed-with-a-certificate", Timeout);
        using var api = new Management.ApiHttp(door.Daemon.ApiUrl);
        var sessions = (await api.GetAsync("/api/ports/lab/sessions")).Json;
        Assert.Equal("132x43", Assert.Single(sessions.EnumerateArray()).GetProperty("terminal").GetString());

        // The terminal is resized (SIGWINCH reaches ssh, sshd, ssh-entry): the session list follows.
        session.Send(Sigusr1);
        var last = "";
        await Eventually.TrueAsync(async () =>
        {
            last = (await api.GetAsync("/api/ports/lab/sessions")).Text;
            return last.Contains("\"terminal\":\"100x30\"", StringComparison.Ordinal);
        }, Timeout, () => $"the session list did not show 100x30: {last}");

        var mallory = door.Ssh("mallory", "ports", tty: false);
        Assert.Equal(255, mallory.WaitForExit(Timeout));
        Assert.Contains("Permission denied (publickey)", mallory.Output, StringComparison.Ordinal);

        // A local process other than the console account's ssh-entry (here root, the test) cannot name a principal.
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(door.Socket));
        socket.Send("lab\t10.9.9.9 40000 127.0.0.1 22\talice\t\tjoin\n"u8);
        var answer = new StringBuilder();
        var buffer = new byte[1024];
        for (int n; (n = socket.Receive(buffer)) > 0;)
        {
            answer.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }

        Assert.Contains("refused: local account root named principal 'alice', but only the SSH console account", answer.ToString(), StringComparison.Ordinal);
    }

    /// <summary>The daemon, the console account, sshd with ssh-config's block, and keys for alice (@ops) and bob.</summary>
    private FrontDoor Open()
    {
        var dir = Track(new TempDirectory("sshdoor")).FullName;
        File.SetUnixFileMode(dir, (UnixFileMode)Convert.ToInt32("755", 8)); // the console account reaches the socket through it
        var account = Track(ConsoleAccount.Create(Path.Combine(dir, "home")));
        var door = new FrontDoor(dir, Path.Combine(dir, "ssh-entry.sock"), FreeTcpPort.Next());
        var device = Track(VirtualSerialDevice.CreateTemp("sshdoor"));
        foreach (var user in new[] { "alice", "bob", "stranger" })
        {
            door.Key(user);
        }

        door.Key("ca");
        var users = Path.Combine(dir, "users");
        Cli("passwd", "--users-file", users, "alice", "--groups", "ops", "--add-key", File.ReadAllText(door.Path("alice.pub")));
        Cli("passwd", "--users-file", users, "bob", "--add-key", File.ReadAllText(door.Path("bob.pub")));
        var config = Path.Combine(dir, "concentrator.conf");
        File.WriteAllText(config, $$"""
            concentrator.security {
              users-file = "{{users}}", ssh-entry-socket = "{{door.Socket}}", ssh-entry-group = "dialout"
              ssh-console-account = "{{account.Name}}", ssh-user-ca = "{{door.Path("ca.pub")}}"
            }
            concentrator.ports {
              lab { device = "{{device.LinkPath}}", tags = [lab], acl { read-write = ["@ops"], read-only = ["bob"] },
                    listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
              echo { device = "sim:echo", tags = [rack-b], acl { read-write = ["alice"] }, listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
            }
            """);
        door.Daemon = Track(DaemonProcess.Start(File.ReadAllText(config)));
        door.Daemon.WaitOnline("lab", "echo");
        door.Device = device;

        // ssh-config's block as printed; a test sshd only adds where it listens and its own files.
        var block = Cli("ssh-config", "--config", config, "--account", account.Name, "--command-user", "root");
        Assert.Contains($"Match User {account.Name}", block, StringComparison.Ordinal);
        Directory.CreateDirectory("/run/sshd");
        var sshdConfig = door.Path("sshd_config");
        File.WriteAllText(sshdConfig, $"""
            Port {door.SshPort}
            ListenAddress 127.0.0.1
            HostKey {door.Key("host")}
            PidFile {door.Path("sshd.pid")}
            UsePAM no
            {block}
            """);
        var sshd = Track(RunningProcess.Start("/usr/sbin/sshd", ["-D", "-e", "-f", sshdConfig]));
        sshd.WaitFor("Server listening on 127.0.0.1", Timeout);
        door.Account = account.Name;
        return door;
    }

    private static string Cli(params string[] args) =>
        ExternalCommand.MustRun("dotnet", [DaemonProcess.ExecutablePath, .. args]).Stdout;

    private sealed class FrontDoor(string dir, string socket, int sshPort)
    {
        public string Socket => socket;

        public int SshPort => sshPort;

        public DaemonProcess Daemon { get; set; } = null!;

        public VirtualSerialDevice Device { get; set; } = null!;

        public string Account { get; set; } = "";

        public string Path(string name) => System.IO.Path.Combine(dir, name);

        /// <summary>An ed25519 key pair NAME / NAME.pub (made once); returns the private key's path.</summary>
        public string Key(string name)
        {
            if (!File.Exists(Path(name)))
            {
                ExternalCommand.MustRun("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", Path(name)]);
            }

            return Path(name);
        }

        /// <summary>Signs NAME.pub with the CA key into NAME-cert.pub, which ssh picks up beside the private key.</summary>
        public void Sign(string caKey, string name, string principals) =>
            ExternalCommand.MustRun("ssh-keygen", ["-q", "-s", caKey, "-I", name, "-n", principals, Path(name + ".pub")]);

        /// <summary>
        /// ssh -tt (or without a pty) as the console account with NAME's key, typing COMMAND after the host; with a
        /// window size, ssh runs in a pty of that size (python's pty module), as from a real terminal.
        /// </summary>
        public RunningProcess Ssh(string key, string? command, bool tty = true, (int Columns, int Rows)? windowSize = null)
        {
            string[] ssh = ["ssh", tty ? "-tt" : "-T", "-i", Path(key), "-p", $"{sshPort}",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
                "-o", "IdentitiesOnly=yes", $"{Account}@127.0.0.1", .. command is null ? Array.Empty<string>() : [command]];
            return windowSize is { } size
                ? RunningProcess.Start("/usr/bin/python3", ["-c", InSizedPty, $"{size.Columns}", $"{size.Rows}", .. ssh])
                : RunningProcess.Start(ssh[0], ssh[1..]);
        }

        /// <summary>
        /// Runs argv[3:] on a pty of argv[1] x argv[2] (set before exec, so ssh reads it), relaying both ways; SIGUSR1
        /// resizes the pty to 100x30, which the kernel tells ssh with SIGWINCH.
        /// </summary>
        private const string InSizedPty = """
            import fcntl, os, pty, select, signal, struct, sys, termios
            cols, rows, argv = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
            pid, fd = pty.fork()
            if pid == 0:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
                os.execvp(argv[0], argv)
            signal.signal(signal.SIGUSR1, lambda *_: fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0)))
            inputs = [0, fd]
            while True:
                for r in select.select(inputs, [], [])[0]:
                    try:
                        data = os.read(r, 4096)
                    except OSError:
                        data = b""
                    if r == fd:
                        if not data:
                            sys.exit(os.waitpid(pid, 0)[1] >> 8)
                        os.write(1, data)
                    elif data:
                        os.write(fd, data)
                    else:
                        inputs.remove(0)
            """;
    }

    /// <summary>The one system account of the front door, as ssh-config's setup comments make it, removed after the test.</summary>
    private sealed class ConsoleAccount : IDisposable
    {
        private ConsoleAccount(string name) => Name = name;

        public string Name { get; }

        public static ConsoleAccount Create(string home)
        {
            var name = "cct" + Guid.NewGuid().ToString("N")[..12];
            ExternalCommand.MustRun("useradd", ["--system", "--create-home", "--home-dir", home, "--shell", "/bin/sh", "--groups", "dialout", name]);
            ExternalCommand.MustRun("usermod", ["-p", "*", name]);
            return new ConsoleAccount(name);
        }

        public void Dispose() => ExternalCommand.MustRun("userdel", [Name]);
    }
}
