using Concentrator.Client.Import;
using Concentrator.Devices;
using Concentrator.Ports.Configuration;
using Concentrator.Testing;

namespace Concentrator.Client.Tests;

/// <summary>import-conman: conman.conf(5)'s directives, and the conman.conf Debian's conman package installs.</summary>
public sealed class ConmanImportTests
{
    private const string Conf = """
        server logdir="/var/log/conman"
        server loopback=on
        server timestamp=1h
        global seropts="115200,8n1"
        global log="console.%N"
        global logopts="lock,timestamp"
        console name="node1" dev="/dev/ttyS0"
        console name="node2" dev="/dev/ttyS1" seropts="9600,7e2" log="/tmp/%N.log"
        console name="ts1" dev="ts-1:7001"        # a terminal server's telnet port
        console name="bmc3" dev="ipmi:bmc-3"
        CONSOLE NAME="sh" DEV="/usr/bin/ssh -tt node4" \
           log=""
        console name='sock' dev='unix:/run/console.sock'
        """;

    private static Dictionary<string, PortSettings> Load(ImportResult result)
    {
        var loaded = ConfigLoader.Load(result.Hocon, "imported.conf", ".");
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors) + "\n" + result.Hocon);
        return loaded.Settings!.Ports.ToDictionary(p => p.Name);
    }

    [Fact]
    public void Each_documented_device_form_becomes_its_device_kind_with_its_line_settings_and_log()
    {
        var result = ConmanImporter.Convert(Conf, "conman.conf", basePort: 7101);

        var ports = Load(result);
        Assert.Equal(["node1", "node2", "ts1", "sh"], ports.Keys);
        Assert.Equal(new LineSettings(115200, 8, Parity.None, StopBits.One, FlowControl.None), ports["node1"].Line);
        Assert.Equal(new LineSettings(9600, 7, Parity.Even, StopBits.Two, FlowControl.None), ports["node2"].Line);
        Assert.Equal("telnet://ts-1:7001", ports["ts1"].Device);
        Assert.Equal("exec:/usr/bin/ssh -tt node4", ports["sh"].Device);
        Assert.Equal("/var/log/conman/console.node1", ports["node1"].Log?.File); // relative to logdir, %N = the port
        Assert.True(ports["node1"].Log!.Timestamps);
        Assert.Equal("/tmp/node2.log", ports["node2"].Log?.File);
        Assert.Null(ports["sh"].Log); // log="" turns the global log off
        Assert.Equal([7101, 7102, 7103, 7104], ports.Values.Select(p => Assert.Single(p.Listeners).Port));
        Assert.All(ports.Values, p => Assert.True(System.Net.IPAddress.IsLoopback(p.Listeners[0].EndPoint.Address))); // loopback=on
    }

    [Fact]
    public void What_cannot_be_carried_over_is_listed_with_the_console_it_belongs_to()
    {
        var result = ConmanImporter.Convert(Conf, "conman.conf");

        var all = string.Join("\n", result.Warnings);
        Assert.Contains("conman.conf:10: console bmc3: dev=\"ipmi:bmc-3\": IPMI SOL", all, StringComparison.Ordinal);
        Assert.Contains("console sock: dev=\"unix:/run/console.sock\"", all, StringComparison.Ordinal);
        Assert.Contains("server timestamp=1h", all, StringComparison.Ordinal);
        Assert.Equal(3, result.Warnings.Count);
    }

    [Fact]
    public void The_installed_conman_conf_defines_no_console_and_the_command_says_so_with_exit_1()
    {
        using var dir = new TempDirectory("conman-cli");
        var file = Path.Combine(dir.FullName, "conman.conf");
        File.WriteAllText(file, ForeignConfigs.Read("etc/conman.conf"));

        var run = ConcentratorCli.Run(["import-conman", file], TimeSpan.FromSeconds(30));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no port could be imported", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unclosed_string_imports_nothing_and_names_the_line()
    {
        var e = Assert.Throws<ImportFormatException>(() => ConmanImporter.Convert("server port=7890\nconsole name=\"a dev=/dev/ttyS0\n", "conman.conf"));
        Assert.Contains("line 2", e.Message, StringComparison.Ordinal);
    }
}
