using Concentrator.Client.Import;
using Concentrator.Client.Ser2net;
using Concentrator.Devices;
using Concentrator.Ports.Configuration;

namespace Concentrator.Client.Tests;

public sealed class Ser2netImportTests
{
    private const string IssueExample = """
        # classic ser2net.conf
        BANNER:rack:Welcome to \p on \d (\s)\r\n
        7000:telnet:3600:/dev/ttyU0:57600 8DATABITS NONE 1STOPBIT remctl rack
        """;

    private static PortSettings SinglePort(ImportResult result)
    {
        var loaded = ConfigLoader.Load(result.Hocon, "imported", ".");
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors) + "\n" + result.Hocon);
        return Assert.Single(loaded.Settings!.Ports);
    }

    [Fact]
    public void IssueExampleBecomesAnRfc2217PortAt57600WithIdleTimeoutAndBanner()
    {
        var result = Ser2netImporter.Convert(IssueExample, "ser2net.conf");

        var port = SinglePort(result);
        Assert.Equal("/dev/ttyU0", port.Device);
        Assert.Equal(new LineSettings(57600, 8, Parity.None, StopBits.One, FlowControl.None), port.Line);
        var listener = Assert.Single(port.Listeners);
        Assert.Equal(7000, listener.Port);
        Assert.Equal(ListenerProtocol.Rfc2217, listener.Protocol);
        Assert.Equal(TimeSpan.FromSeconds(3600), port.IdleTimeout);
        Assert.Equal("Welcome to 7000 on /dev/ttyU0 (57600N81)", port.Banner); // the daemon adds CR LF itself
        Assert.Equal(1, port.MaxSessions); // ser2net allows one user per port
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void TheRealServeCheckAcceptsTheImportedConfig()
    {
        var result = Ser2netImporter.Convert(IssueExample, "ser2net.conf");

        var (exit, output) = DaemonProcess.Run(result.Hocon, "--check");

        Assert.True(exit == 0, output);
        Assert.Contains("7000", output, StringComparison.Ordinal);
        Assert.Contains("config OK", output, StringComparison.Ordinal);
    }

    [Fact]
    public void UnmappableOptionsAreWarnedNotDropped()
    {
        const string conf = """
            TRACEFILE:tr1:/tmp/trace-\p
            2001:raw:0:/dev/ttyS1:9600 EVEN 7DATABITS 2STOPBITS RTSCTS HANGUP_WHEN_DONE NOBREAK tr=tr1 chardelay frobnicate kickolduser max-connections=3
            2002:rawlp:10:/dev/ttyS2:
            2003:off:0:/dev/ttyS3:115200
            127.0.0.1,2004:telnet:0:/dev/ttyS4:19200 XONXOFF
            """;

        var result = Ser2netImporter.Convert(conf, "/etc/ser2net.conf");

        var loaded = ConfigLoader.Load(result.Hocon, "imported", ".");
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors) + "\n" + result.Hocon);
        var ports = loaded.Settings!.Ports.ToDictionary(p => p.Listeners[0].Port);
        Assert.Equal([2001, 2002, 2004], ports.Keys.Order());
        Assert.Equal(new LineSettings(9600, 7, Parity.Even, StopBits.Two, FlowControl.RtsCts), ports[2001].Line);
        Assert.True(ports[2001].KickOld);
        Assert.Equal(3, ports[2001].MaxSessions);
        Assert.Equal(ListenerProtocol.Raw, ports[2002].Listeners[0].Protocol);
        Assert.Equal(9600, ports[2002].Line.BaudRate); // ser2net's default, not ours
        Assert.Equal(ListenerProtocol.Telnet, ports[2004].Listeners[0].Protocol);
        Assert.Equal("127.0.0.1", ports[2004].Listeners[0].Bind.ToString());
        Assert.Equal("0.0.0.0", ports[2001].Listeners[0].Bind.ToString());
        Assert.Equal(FlowControl.XonXoff, ports[2004].Line.FlowControl);

        var all = string.Join("\n", result.Warnings);
        foreach (var expected in new[] { "TRACEFILE", "HANGUP_WHEN_DONE", "NOBREAK", "tr=tr1", "chardelay", "frobnicate", "rawlp", "'off'" })
        {
            Assert.Contains(expected, all, StringComparison.Ordinal);
        }

        Assert.Contains("# \"ttyS3\" {", result.Hocon, StringComparison.Ordinal); // the off port is kept, commented out
    }

    [Fact]
    public void Ser2netYamlConnectionsAreImported()
    {
        const string yaml = """
            %YAML 1.1
            ---
            define: &banner \r\nser2net port \p device \d [\B]\r\n\r\n

            connection: &con0
                accepter: telnet(rfc2217),tcp,localhost,2000
                enable: on
                timeout: 600
                options:
                  banner: *banner
                  kickolduser: true
                  telnet-brk-on-sync: true
                connector: serialdev,
                          /dev/ttyS0,
                          9600e71,local

            connection: &con1
                accepter: tcp,2001
                connector: serialdev,/dev/ttyS1,115200n82,rtscts
                options:
                  max-connections: 4

            connection: &sol
                accepter: tcp,2002
                connector: ipmisol,lan -U u ipmiserver,9600

            admin:
                accepter: tcp,3000
            """;

        var result = Ser2netImporter.Convert(yaml, "ser2net.yaml");

        var loaded = ConfigLoader.Load(result.Hocon, "imported", ".");
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors) + "\n" + result.Hocon);
        var ports = loaded.Settings!.Ports.ToDictionary(p => p.Name);
        Assert.Equal(["con0", "con1"], ports.Keys.Order());
        var con0 = ports["con0"];
        Assert.Equal("/dev/ttyS0", con0.Device);
        Assert.Equal(new LineSettings(9600, 7, Parity.Even, StopBits.One, FlowControl.None), con0.Line);
        Assert.Equal(ListenerProtocol.Rfc2217, con0.Listeners[0].Protocol);
        Assert.Equal(2000, con0.Listeners[0].Port);
        Assert.Equal("127.0.0.1", con0.Listeners[0].Bind.ToString());
        Assert.Equal(TimeSpan.FromSeconds(600), con0.IdleTimeout);
        Assert.True(con0.KickOld);
        Assert.Equal("ser2net port 2000 device /dev/ttyS0 [9600E71]", con0.Banner);
        var con1 = ports["con1"];
        Assert.Equal(new LineSettings(115200, 8, Parity.None, StopBits.Two, FlowControl.RtsCts), con1.Line);
        Assert.Equal(ListenerProtocol.Raw, con1.Listeners[0].Protocol);
        Assert.Equal(4, con1.MaxSessions);

        var all = string.Join("\n", result.Warnings);
        Assert.Contains("telnet-brk-on-sync", all, StringComparison.Ordinal);
        Assert.Contains("ipmisol", all, StringComparison.Ordinal);
        Assert.Contains("admin", all, StringComparison.Ordinal);
    }

    [Fact]
    public void TheCommandPrintsHoconOnStdoutAndWarningsOnStderr()
    {
        var file = Path.Combine(Path.GetTempPath(), $"ser2net-{Guid.NewGuid():N}.conf");
        File.WriteAllText(file, IssueExample + "\n7001:raw:0:/dev/ttyU1:115200 HANGUP_WHEN_DONE\n");
        try
        {
            var run = ConcentratorCli.Run(["import-ser2net", file], TimeSpan.FromSeconds(30));

            Assert.Equal(0, run.ExitCode);
            Assert.Contains("protocol = rfc2217", run.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("warning", run.Stdout, StringComparison.Ordinal);
            Assert.Contains("HANGUP_WHEN_DONE", run.Stderr, StringComparison.Ordinal);
            Assert.True(ConfigLoader.Load(run.Stdout, "stdout", ".").IsValid, run.Stdout);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
