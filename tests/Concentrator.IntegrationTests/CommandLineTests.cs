using System.Net.Sockets;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests;

/// <summary>The executable's commands, config validation and the embedded demo default.</summary>
public sealed class CommandLineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static bool IsListening(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [Fact]
    public void Check_prints_the_plan_and_exits_zero()
    {
        var tcp = FreeTcpPort.Next();
        var (code, output) = DaemonProcess.Run($$"""
            concentrator.ports.lab {
              device = "sim:echo"
              baud = 9600
              parity = even
              listeners = [ { port = {{tcp}}, protocol = raw }, { port = {{tcp + 1}}, protocol = telnet, access = read-only } ]
            }
            """, "--check");

        Assert.Equal(0, code);
        Assert.Contains("port lab: sim:echo (simulated), 9600 8E1", output, StringComparison.Ordinal);
        Assert.Contains($"raw on 127.0.0.1:{tcp}", output, StringComparison.Ordinal);
        Assert.Contains($"telnet on 127.0.0.1:{tcp + 1} read-only", output, StringComparison.Ordinal);
        Assert.Contains("config OK", output, StringComparison.Ordinal);
        Assert.Matches(@"api: http://127\.0\.0\.1:\d+, no tokens file, anonymous loopback callers may read", output);
        Assert.False(IsListening(tcp));
    }

    [Fact]
    public void An_api_port_in_use_stops_the_daemon_before_it_serves_anything()
    {
        using var squatter = new TcpListener(System.Net.IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((System.Net.IPEndPoint)squatter.LocalEndpoint).Port;
        var tcp = FreeTcpPort.Next();

        var (code, output) = DaemonProcess.Run($$"""
            concentrator.ports.p { device = "sim:echo", listeners = [ { port = {{tcp}}, protocol = raw } ] }
            concentrator.api.port = {{taken}}
            """);

        Assert.Equal(1, code);
        Assert.Contains($"api: cannot listen on 127.0.0.1:{taken} (http)", output, StringComparison.Ordinal);
        Assert.Contains("nothing was started", output, StringComparison.Ordinal);
        Assert.DoesNotContain("online", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_typo_names_file_port_key_and_value_and_nothing_binds()
    {
        var tcp = FreeTcpPort.Next();
        var (code, output) = DaemonProcess.Run($$"""
            concentrator.ports {
              good { device = "sim:echo", listeners = [ { port = {{tcp}} } ] }
              lab { device = "sim:demo", parity = pairty, listeners = [ { port = {{tcp + 1}} } ] }
            }
            """);

        Assert.Equal(2, code);
        Assert.Matches(@"concentrator-test-\w+\.conf: port 'lab': key 'parity' = 'pairty': expected none \| odd \| even \| mark \| space", output);
        Assert.Contains("nothing was started", output, StringComparison.Ordinal);
        Assert.False(IsListening(tcp));
    }

    [Fact]
    public void A_listener_that_cannot_bind_stops_the_daemon_with_a_clear_error()
    {
        using var squatter = new TcpListener(System.Net.IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((System.Net.IPEndPoint)squatter.LocalEndpoint).Port;

        var (code, output) = DaemonProcess.Run($$"""
            concentrator.ports.busy { device = "sim:echo", listeners = [ { port = {{taken}}, protocol = raw } ] }
            """);

        Assert.Equal(1, code);
        Assert.Contains($"port 'busy': cannot listen on 127.0.0.1:{taken}", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_daemon_on_the_same_ports_is_refused_not_silently_sharing_them()
    {
        var tcp = FreeTcpPort.Next();
        var config = $$"""
            concentrator.ports.once { device = "sim:echo", listeners = [ { port = {{tcp}}, protocol = raw } ] }
            """;
        using var first = DaemonProcess.Start(config);
        first.WaitOnline("once");

        var (code, output) = DaemonProcess.Run(config);
        Assert.Equal(1, code);
        Assert.Contains($"port 'once': cannot listen on 127.0.0.1:{tcp}", output, StringComparison.Ordinal);
        Assert.False(first.HasExited);
    }

    [Fact]
    public void The_embedded_default_serves_the_demo_console_on_port_7000()
    {
        using var daemon = DaemonProcess.Start(null);
        daemon.WaitFor("port demo: sim:demo \\(simulated\\)");
        daemon.WaitFor("listening: .* on 127\\.0\\.0\\.1:7000");
        daemon.WaitOnline("demo");

        using var client = TcpClientSession.Connect(7000);
        // The demo listener replays the scrollback, so the boot log and login prompt show up even after boot.
        client.ReadUntil("demo login: ", Timeout);
        client.Send("root\r");
        client.ReadUntil("Password: ", Timeout);
        client.Send("secret\r");
        client.ReadUntil("$ ", Timeout);
        client.Send("uname -a\r");
        var reply = client.ReadUntil("$ ", Timeout);
        Assert.Contains("Linux", reply, StringComparison.Ordinal);
        Assert.Equal(0, daemon.Terminate());
    }

    [Fact]
    public void Unknown_commands_print_usage_and_exit_two()
    {
        var (code, output) = RunRaw("frobnicate");
        Assert.Equal(2, code);
        Assert.Contains("Unrecognized command or argument 'frobnicate'", output, StringComparison.Ordinal);
        Assert.Contains("concentrator [command] [options]", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("serve", "--config", "-c", "--check", "--log-format <json|text>", "[default: text]")]
    [InlineData("attach", "<HOST:PORT>")]
    [InlineData("pty", "<HOST:PORT>", "--link <PATH> (REQUIRED)", "--baud <N>")]
    [InlineData("bridge", "<DEVICE>", "<HOST:PORT>", "--backend <auto|posix|system-io-ports>", "--baud <N>", "--data-bits <N>",
        "--parity <even|mark|none|odd|space>", "--stop-bits <1|1.5|2>", "--flow-control <none|rtscts|xonxoff>")]
    [InlineData("import-ser2net", "<FILE>")]
    [InlineData("import-conserver", "<FILE>", "--base-port")]
    [InlineData("import-conman", "<FILE>", "--base-port")]
    [InlineData("ports", "--api <URL>", "[default: http://127.0.0.1:7900/]", "--api-token <TOKEN>", "--json")]
    [InlineData("sessions", "<NAME>", "--api <URL>", "--json")]
    [InlineData("kick", "<ID>", "--api <URL>", "--api-token <TOKEN>")]
    [InlineData("reload", "--api <URL>", "--api-token <TOKEN>", "--json")]
    [InlineData("token add", "<NAME>", "--role <admin|audit|lease|operate|read>", "--tokens-file <FILE> (REQUIRED)")]
    public void Each_command_answers_help_with_its_own_arguments_and_options(string command, params string[] expected)
    {
        var (code, output) = RunRaw([.. command.Split(' '), "--help"]);

        Assert.Equal(0, code);
        Assert.Contains($"concentrator {command} ", output, StringComparison.Ordinal);
        foreach (var text in expected)
        {
            Assert.Contains(text, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Help_lists_every_command_and_version_names_the_build()
    {
        var (code, output) = RunRaw("--help");
        Assert.Equal(0, code);
        foreach (var command in new[] { "serve", "attach", "pty", "bridge", "import-ser2net", "import-conserver", "import-conman", "ports", "sessions", "kick", "reload", "token", "--version" })
        {
            Assert.Contains($"  {command}", output, StringComparison.Ordinal);
        }

        var (versionCode, version) = RunRaw("--version");
        Assert.Equal(0, versionCode);
        Assert.Matches(@"^concentrator \d+\.\d+\.\d+\s*$", version);
    }

    [Theory]
    [InlineData("--chek", "--check", "serve")]
    [InlineData("--log-fromat", "--log-format", "serve", "--log-fromat", "json")]
    [InlineData("--partiy", "--parity", "bridge", "/dev/ttyS5", "127.0.0.1:7000", "--partiy", "even")]
    public void An_unknown_option_is_named_with_the_closest_valid_one_and_exits_two(string typo, string suggestion, params string[] args)
    {
        var (code, output) = RunRaw(args.Length == 1 ? [args[0], typo] : args);

        Assert.Equal(2, code);
        Assert.Contains($"Unrecognized command or argument '{typo}'", output, StringComparison.Ordinal);
        Assert.Contains($"'{typo}' was not matched. Did you mean one of the following?{Environment.NewLine}{suggestion}{Environment.NewLine}", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_option_value_is_a_usage_error()
    {
        var (code, output) = RunRaw("pty", "127.0.0.1:7000", "--link", "/tmp/never-made", "--baud", "fast");
        Assert.Equal(2, code);
        Assert.Contains("--baud expects a number from 1 up, not 'fast'", output, StringComparison.Ordinal);
    }

    private static (int, string) RunRaw(params string[] args)
    {
        var run = ExternalCommand.Run("dotnet", [DaemonProcess.ExecutablePath, .. args], timeout: Timeout);
        return (run.ExitCode, run.Output);
    }
}
