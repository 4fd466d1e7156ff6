using System.Text.RegularExpressions;
using Concentrator.IntegrationTests.Security;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests;

/// <summary>
/// Issue 22, item 11, end to end: the shipped packaging/concentrator.conf (only its paths and base port moved into a
/// temp directory) serves a discovered adapter so that a member of <c>dialout</c> — a real account made for the test —
/// types into it through <c>concentrator ssh-entry</c> run as that account, while another account can neither open the
/// ssh-entry socket nor type through the read-only discovery listener. The tests run as root (like SshEntryTests):
/// they add the two accounts with useradd and remove them after.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ShippedConfigTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_dialout_member_types_through_ssh_entry_and_other_accounts_only_watch()
    {
        var dir = Track(new TempDirectory("shipped"));
        // Accounts other than root must reach the socket's directory and the daemon's build.
        File.SetUnixFileMode(dir.FullName, (UnixFileMode)Convert.ToInt32("755", 8));
        var byId = Directory.CreateDirectory(Path.Combine(dir.FullName, "by-id")).FullName;
        var socket = Path.Combine(dir.FullName, "ssh-entry.sock");
        var basePort = FreeTcpPort.Next();
        var config = File.ReadAllText(Path.Combine(PackagingTests.RepoRoot, "packaging", "concentrator.conf"))
            .Replace("/run/concentrator/ssh-entry.sock", socket, StringComparison.Ordinal)
            .Replace("/var/log/concentrator/", dir.FullName + "/logs/", StringComparison.Ordinal)
            .Replace("/var/lib/concentrator/", dir.FullName + "/", StringComparison.Ordinal)
            .Replace("/dev/serial/by-id/*", byId + "/usb-*", StringComparison.Ordinal)
            .Replace("base-port = 7000", $"base-port = {basePort}", StringComparison.Ordinal);
        var settings = string.Join('\n', config.Split('\n').Where(l => !l.TrimStart().StartsWith('#')));
        Assert.DoesNotContain("/var/", settings, StringComparison.Ordinal); // every path the service writes was moved
        Assert.DoesNotContain("/run/", settings, StringComparison.Ordinal);

        var member = Track(SystemAccount.Create("dialout"));
        var outsider = Track(SystemAccount.Create(group: null));
        var device = Track(VirtualSerialDevice.Create(Path.Combine(byId, "usb-FTDI_test-if00-port0")));
        var daemon = Track(DaemonProcess.Start(config));
        daemon.WaitOnline("usb-FTDI_test-if00-port0");

        // Any account may watch through the discovery listener, but not type.
        using var watcher = TcpClientSession.Connect(basePort);
        daemon.WaitFor("session 1 on port usb-FTDI_test-if00-port0: .* connected");
        watcher.Send("typed-by-a-watcher\r");

        // An account outside dialout cannot open the ssh-entry socket at all.
        using var refused = RunAs(outsider, socket);
        Assert.Equal(1, refused.WaitForExit(Timeout));
        Assert.Contains("cannot reach the concentrator daemon", refused.Output, StringComparison.Ordinal);

        // A dialout member lands as ssh:NAME and types; the watcher's line, sent before, is not among what arrives.
        using var typing = RunAs(member, socket);
        daemon.WaitFor($"session 2 on port usb-FTDI_test-if00-port0: .* connected as ssh:{Regex.Escape(member.Name)}");
        typing.Write("typed-by-a-dialout-member\r");
        var written = device.ReadUntil("typed-by-a-dialout-member", Timeout);
        Assert.DoesNotContain("typed-by-a-watcher", written, StringComparison.Ordinal);
    }

    private static RunningProcess RunAs(SystemAccount account, string socket) =>
        RunningProcess.Start("runuser", ["-u", account.Name, "--", "dotnet", DaemonProcess.ExecutablePath, "ssh-entry", "usb-FTDI_test-if00-port0",
            "--socket", socket], new Dictionary<string, string> { ["HOME"] = "/tmp", ["DOTNET_NOLOGO"] = "1" });

    /// <summary>A system account made for one test with useradd (no home, no login shell), removed with userdel.</summary>
    private sealed class SystemAccount : IDisposable
    {
        private SystemAccount(string name) => Name = name;

        public string Name { get; }

        public static SystemAccount Create(string? group)
        {
            var name = "cct" + Guid.NewGuid().ToString("N")[..12];
            List<string> args = ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin"];
            if (group is not null)
            {
                args.AddRange(["--groups", group]);
            }

            Run("useradd", [.. args, name]);
            return new SystemAccount(name);
        }

        public void Dispose() => Run("userdel", [Name]);

        private static void Run(string file, IEnumerable<string> args) => ExternalCommand.MustRun(file, args);
    }
}
