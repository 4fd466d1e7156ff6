using System.Text.Json;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Management;

/// <summary>The CLI verbs (ports, sessions, kick) against the real daemon's API, and their exit codes.</summary>
public sealed class ManagementCliTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void Ports_sessions_and_kick_work_as_text_and_json()
    {
        var device = Track(VirtualSerialDevice.CreateTemp("cli"));
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator {
              ports.console-7 { device = "{{device.LinkPath}}", baud = 9600, tags = ["rack-3"],
                                listeners = [ { port = {{tcp}}, protocol = raw } ] }
              api.allow-anonymous-actions = on
            }
            """));
        daemon.WaitOnline("console-7");
        var api = daemon.ApiUrl.ToString();
        var client = Track(TcpClientSession.Connect(tcp));
        daemon.WaitFor("session 1 on port console-7: .* connected");

        var (exit, stdout, stderr) = Cli.Run("ports", "--api", api, "--json");
        Assert.True(exit == 0, stderr);
        var port = Assert.Single(JsonDocument.Parse(stdout).RootElement.EnumerateArray());
        Assert.Equal("console-7", port.GetProperty("name").GetString());
        Assert.Equal(9600, port.GetProperty("line").GetProperty("baud").GetInt32());

        (exit, stdout, stderr) = Cli.Run("ports", "--api", api);
        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAME\s+STATE\s+DEVICE\s+LINE\s+SESSIONS\s+TAGS$", lines[0]);
        Assert.Matches($@"^console-7\s+online\s+{System.Text.RegularExpressions.Regex.Escape(device.LinkPath)}.*\s+9600 8N1\s+1\s+rack-3$", lines[1]);

        (exit, stdout, stderr) = Cli.Run("sessions", "console-7", "--api", api);
        Assert.True(exit == 0, stderr);
        Assert.Contains("console-7:1", stdout, StringComparison.Ordinal);

        (exit, stdout, stderr) = Cli.Run("kick", "console-7:1", "--api", api);
        Assert.True(exit == 0, stderr);
        Assert.Contains("session console-7:1 closed", stdout, StringComparison.Ordinal);
        Assert.True(client.WaitClosed(Timeout));

        (exit, _, stderr) = Cli.Run("kick", "console-7:1", "--api", api);
        Assert.Equal(4, exit);
        Assert.Contains("no session console-7:1", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = Cli.Run("sessions", "nope", "--api", api);
        Assert.Equal(4, exit);
        Assert.Contains("no port named 'nope'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreachable_daemon_is_exit_one_and_a_bad_url_exit_two()
    {
        var (exit, _, stderr) = Cli.Run("ports", "--api", $"http://127.0.0.1:{FreeTcpPort.Next()}");
        Assert.Equal(1, exit);
        Assert.Contains("cannot reach the daemon's API", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = Cli.Run("ports", "--api", "not a url");
        Assert.Equal(2, exit);
        Assert.Contains("expected a URL", stderr, StringComparison.Ordinal);
    }
}
