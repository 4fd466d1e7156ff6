using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Security;

/// <summary>
/// SSH entry through the system's OpenSSH: a real sshd on a loopback port with a test config, host key and authorized
/// key made here, whose ForceCommand is our built `concentrator ssh-entry`; a real `ssh -tt` lands on the named port
/// as ssh:root (the tests run as root; sshd needs root to switch users), and the port's ACL applies.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SshEntryTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static void Run(string file, params string[] args) => ExternalCommand.MustRun(file, args);

    private static string Dotnet() =>
        Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? self
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "dotnet")).First(File.Exists);

    [Fact]
    public void Ssh_lands_on_the_named_port_as_ssh_user_and_the_acl_applies()
    {
        var dir = Track(new TempDirectory("sshentry")).FullName;
        var socket = Path.Combine(dir, "ssh-entry.sock");
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.security { ssh-entry-socket = "{{socket}}" }
            concentrator.ports {
              switch-1 { device = "sim:echo", acl { read-write = ["ssh:root"] }, listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
              locked { device = "sim:echo", acl { read-write = ["ssh:alice"] }, listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
            }
            """));
        daemon.WaitOnline("switch-1");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(socket));

        Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(dir, "host_key"));
        Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(dir, "user_key"));
        File.Copy(Path.Combine(dir, "user_key.pub"), Path.Combine(dir, "authorized_keys"));
        Directory.CreateDirectory("/run/sshd"); // sshd's privilege separation directory
        var sshPort = FreeTcpPort.Next();
        var config = Path.Combine(dir, "sshd_config");
        File.WriteAllText(config, $"""
            Port {sshPort}
            ListenAddress 127.0.0.1
            HostKey {dir}/host_key
            PidFile {dir}/sshd.pid
            AuthorizedKeysFile {dir}/authorized_keys
            PermitRootLogin prohibit-password
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes no
            ForceCommand {Dotnet()} {DaemonProcess.ExecutablePath} ssh-entry --socket {socket}

            """);
        var sshd = Track(RunningProcess.Start("/usr/sbin/sshd", ["-D", "-e", "-f", config]));
        sshd.WaitFor("Server listening on 127.0.0.1", Timeout);

        RunningProcess Ssh(string port) => Track(RunningProcess.Start("ssh", ["-tt", "-i", Path.Combine(dir, "user_key"), "-p", $"{sshPort}",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
            "root@127.0.0.1", port]));

        var console = Ssh("switch-1");
        daemon.WaitFor("session \\d+ on port switch-1: .* connected as ssh:root \\(raw, read-write\\)", Timeout);
        console.Write("typed over ssh\r");
        console.WaitFor("typed over ssh", Timeout);
        console.Write("\u0005c.");      // the escape command to disconnect, as on telnet
        console.WaitFor("disconnecting", Timeout);
        Assert.Equal(0, console.WaitForExit(Timeout));

        var locked = Ssh("locked");
        locked.WaitFor("ssh:root may not use port locked", Timeout);
        locked.WaitForExit(Timeout);

        var unknown = Ssh("no-such-port");
        unknown.WaitFor("no port named 'no-such-port'; ports: locked, switch-1", Timeout);
        unknown.WaitForExit(Timeout);
    }

    [Fact]
    public async Task The_ssh_client_address_a_peer_claims_decides_nothing()
    {
        // Any local account may reach the socket and claim any SSH_CONNECTION: here one claims to come from the machine
        // the port is leased for (issue 22, item 9). It is the SSH user the kernel vouches for, and nothing more.
        var dir = Track(new TempDirectory("sshentry-claim")).FullName;
        var path = Path.Combine(dir, "ssh-entry.sock");
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.security { ssh-entry-socket = "{{path}}" }
            concentrator.ports.switch-1 { device = "sim:echo", acl { read-write = ["ssh:root"] }, listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
            concentrator.api.allow-anonymous-actions = on
            """));
        daemon.WaitOnline("switch-1");
        using var api = new Management.ApiHttp(daemon.ApiUrl);
        var lease = await api.PostAsync("/api/leases", """{"port":"switch-1","ttl":"10m","holder":"ci-7","forHost":"10.9.9.9"}""");
        Assert.Equal(System.Net.HttpStatusCode.Created, lease.Status);

        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream,
            System.Net.Sockets.ProtocolType.Unspecified);
        socket.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        using var stream = new System.Net.Sockets.NetworkStream(socket, ownsSocket: false);
        stream.Write("switch-1\t10.9.9.9 40000 127.0.0.1 22\n"u8);
        daemon.WaitFor("session 1 on port switch-1: .* connected as ssh:root");
        daemon.WaitFor("ssh-entry: ssh:root for port switch-1, from 10.9.9.9:40000 as its SSH_CONNECTION says \\(not verified");
        stream.Write("claimed-holder\r"u8);

        // The sentinel: once the lease ends the same session writes, and its first echo is the line typed after.
        var id = lease.Json.GetProperty("lease").GetString();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await api.PostAsync($"/api/leases/{id}/revoke", "{}")).Status);
        daemon.WaitFor("port switch-1: session 1 is now read-write");
        stream.Write("after-the-lease\r"u8);
        var seen = new System.Text.StringBuilder();
        var buffer = new byte[4096];
        using var cancel = new CancellationTokenSource(Timeout);
        while (!seen.ToString().Contains("after-the-lease", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer, cancel.Token);
            Assert.NotEqual(0, n);
            seen.Append(System.Text.Encoding.Latin1.GetString(buffer, 0, n));
        }

        Assert.DoesNotContain("claimed-holder", seen.ToString(), StringComparison.Ordinal);
    }
}
