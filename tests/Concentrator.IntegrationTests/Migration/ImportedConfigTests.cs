using Concentrator.Testing;
using static Concentrator.IntegrationTests.Security.PasswordLogins;

namespace Concentrator.IntegrationTests.Migration;

/// <summary>
/// What an operator moving from conserver or ConMan does: import the old config with the real command, serve the
/// result, and use the consoles with real clients. Devices are ptys the test drives.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ImportedConfigTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static string Import(string command, string file, int basePort)
    {
        using var run = RunningProcess.Concentrator([command, "--base-port", basePort.ToString(System.Globalization.CultureInfo.InvariantCulture), file]);
        Assert.Equal(0, run.WaitForExit(Timeout));
        return run.Stdout;
    }

    [Fact]
    public void A_conserver_console_with_a_group_writer_and_read_only_spies_serves_as_conserver_did()
    {
        var dir = Track(new TempDirectory("from-conserver"));
        using var device = VirtualSerialDevice.Create(Path.Combine(dir.FullName, "ttyLab"));
        var cf = Path.Combine(dir.FullName, "conserver.cf");
        File.WriteAllText(cf, $$"""
            group ops { users alice; }
            default * { logfile {{dir.FullName}}/&.log; timestamp ""; }
            console lab { type device; device {{device.LinkPath}}; baud 115200; parity none; rw ops; ro *; }
            access * { allowed 127.0.0.0/8; }
            """);
        var basePort = FreeTcpPort.Next();
        var users = Path.Combine(dir.FullName, "users.conf");
        // The import names users.conf beside the config; the test's daemon reads its config from a temp file elsewhere.
        var hocon = Import("import-conserver", cf, basePort).Replace("\"users.conf\"", $"\"{users}\"", StringComparison.Ordinal);
        Passwd(users, "alice", "alice's secret", "ops");
        Passwd(users, "bob", "bob's secret");

        var daemon = Track(DaemonProcess.Start(hocon));
        daemon.WaitOnline("lab");

        using var alice = LogIn("127.0.0.2", basePort, "alice", "alice's secret");
        alice.ReadUntil("logged in as alice", Timeout);
        alice.Send("from alice\r");
        Assert.Contains("from alice", device.ReadUntil("from alice", Timeout), StringComparison.Ordinal);
        using var bob = LogIn("127.0.0.3", basePort, "bob", "bob's secret");
        bob.ReadUntil("logged in as bob", Timeout);
        bob.Send("from bob\r");
        bob.ReadUntil("read-only: your input is not sent to the device", Timeout);
        device.Write("login: ");
        alice.ReadUntil("login: ", Timeout);
        bob.ReadUntil("login: ", Timeout); // the spy watches
        var log = Path.Combine(dir.FullName, "lab.log");
        Eventually.True(() => File.Exists(log) && File.ReadAllText(log).Contains("login: ", StringComparison.Ordinal),
            Timeout, () => "conserver's logfile /…/&.log is the port's console log");
    }

    [Fact]
    public void A_conman_console_on_a_serial_device_carries_bytes_both_ways_at_its_seropts()
    {
        var dir = Track(new TempDirectory("from-conman"));
        using var device = VirtualSerialDevice.Create(Path.Combine(dir.FullName, "ttyNode"));
        var cf = Path.Combine(dir.FullName, "conman.conf");
        File.WriteAllText(cf, $"""
            server loopback=on
            global seropts="38400,8n1"
            console name="node1" dev="{device.LinkPath}"
            """);
        var basePort = FreeTcpPort.Next();
        var hocon = Import("import-conman", cf, basePort);

        var daemon = Track(DaemonProcess.Start(hocon));
        daemon.WaitOnline("node1");
        Eventually.True(() => device.GetTermios().BaudRate == 38400, Timeout, () => $"the device runs at ConMan's seropts: {device.GetTermios()}");

        using var client = TcpClientSession.Connect(basePort);
        device.Write("node1 login: ");
        client.ReadUntil("node1 login: ", Timeout);
        client.Send("root\r");
        device.ReadUntil("root", Timeout);
    }
}
