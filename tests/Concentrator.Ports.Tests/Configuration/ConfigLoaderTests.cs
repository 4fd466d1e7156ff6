using System.Net;
using Concentrator.Devices;
using Concentrator.Ports.Configuration;

namespace Concentrator.Ports.Tests.Configuration;

public sealed class ConfigLoaderTests
{
    private static ConfigResult Load(string hocon) => ConfigLoader.Load(hocon, "test.conf", "/tmp");

    private static ConfigError SingleError(string hocon)
    {
        var result = Load(hocon);
        Assert.False(result.IsValid);
        return Assert.Single(result.Errors);
    }

    [Fact]
    public void Reads_every_interface_key()
    {
        var result = Load("""
            concentrator.ports {
              console-a {
                device = "/dev/serial/by-id/usb-FTDI-port0"
                baud = 57600
                data-bits = 7
                parity = even
                stop-bits = 2
                flow-control = rtscts
                listeners = [
                  { port = 7000, protocol = rfc2217 }
                  { port = 7100, protocol = telnet, access = read-only, replay = on, bind = "0.0.0.0" }
                ]
                banner = "Serial host server"
                idle-timeout = 30s
                max-sessions = 4
                write-policy = exclusive
                scrollback = 128KiB
                log { file = "logs/console-a.log", timestamps = on, max-size = 10MiB, keep = 5 }
              }
            }
            """);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var port = Assert.Single(result.Settings!.Ports);
        Assert.Equal("console-a", port.Name);
        Assert.Equal(new LineSettings(57600, 7, Parity.Even, StopBits.Two, FlowControl.RtsCts), port.Line);
        Assert.Equal(TimeSpan.FromSeconds(30), port.IdleTimeout);
        Assert.Equal(4, port.MaxSessions);
        Assert.Equal(WritePolicy.Exclusive, port.WritePolicy);
        Assert.Equal(128 * 1024, port.Scrollback);
        Assert.Equal("Serial host server", port.Banner);
        Assert.Equal("/tmp/logs/console-a.log", port.Log!.File);
        Assert.Equal(10L * 1024 * 1024, port.Log.MaxSize);
        Assert.Equal(5, port.Log.Keep);

        Assert.Equal(2, port.Listeners.Count);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 7000), port.Listeners[0].EndPoint);
        Assert.Equal(ListenerProtocol.Rfc2217, port.Listeners[0].Protocol);
        Assert.False(port.Listeners[0].Replay); // read-write rfc2217: never replay stale bytes to a flasher
        Assert.Equal(OverflowPolicy.Disconnect, port.Listeners[0].Overflow);
        Assert.Equal(SessionAccess.ReadOnly, port.Listeners[1].Access);
        Assert.Equal(IPAddress.Any, port.Listeners[1].Bind);
        Assert.True(port.Listeners[1].Replay);
        Assert.Equal(OverflowPolicy.DropOldest, port.Listeners[1].Overflow);
    }

    [Fact]
    public void A_typo_in_a_key_names_file_port_key_and_suggests_the_right_one()
    {
        var error = SingleError("""
            concentrator.ports.lab { device = "sim:echo", bauds = 9600, listeners = [{ port = 7000 }] }
            """);

        Assert.Equal("test.conf", error.File);
        Assert.Equal("lab", error.Port);
        Assert.Equal("bauds", error.Key);
        Assert.Equal("9600", error.Value);
        Assert.Contains("did you mean 'baud'", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Tags_are_read_and_an_empty_list_is_no_tags()
    {
        var result = Load("""
            concentrator.ports {
              a { device = "sim:echo", tags = ["rack-3", "board:rpi4"], listeners = [{ port = 7000 }] }
              b { device = "sim:echo", tags = [], listeners = [{ port = 7001 }] }
            }
            """);

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal(["rack-3", "board:rpi4"], result.Settings!.Ports.Single(p => p.Name == "a").TagList);
        Assert.Empty(result.Settings.Ports.Single(p => p.Name == "b").TagList);
    }

    [Fact]
    public void Backpressure_is_for_read_write_listeners_only()
    {
        var error = SingleError("""
            concentrator.ports.lab { device = "sim:echo", listeners = [{ port = 7000, access = read-only, overflow = backpressure }] }
            """);

        Assert.Equal("lab", error.Port);
        Assert.Equal("listeners[0].overflow", error.Key);
        Assert.Contains("must never slow the device", error.Problem, StringComparison.Ordinal);
        Assert.True(Load("""
            concentrator.ports.lab { device = "sim:echo", listeners = [{ port = 7000, overflow = backpressure }] }
            """).IsValid);
    }

    [Fact]
    public void A_bad_value_names_the_value_and_the_choices()
    {
        var error = SingleError("""
            concentrator.ports.lab { device = "sim:echo", parity = pairty, listeners = [{ port = 7000 }] }
            """);

        Assert.Equal("parity", error.Key);
        Assert.Equal("pairty", error.Value);
        Assert.Contains("none | odd | even | mark | space", error.Problem, StringComparison.Ordinal);
        Assert.Contains("port 'lab'", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Listener_typos_are_located_inside_the_list()
    {
        var error = SingleError("""
            concentrator.ports.lab { device = "sim:echo", listeners = [{ port = 7000 }, { port = 7001, protocl = raw }] }
            """);

        Assert.Equal("listeners[1].protocl", error.Key);
        Assert.Contains("did you mean 'protocol'", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_tcp_ports_are_rejected_across_ports()
    {
        var error = SingleError("""
            concentrator.ports {
              a { device = "sim:echo", listeners = [{ port = 7000 }] }
              b { device = "sim:demo", listeners = [{ port = 7000, bind = "0.0.0.0" }] }
            }
            """);

        Assert.Equal("b", error.Port);
        Assert.Contains("already used by port 'a'", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_ports_on_one_device_are_rejected_even_through_a_symlink()
    {
        var dir = Directory.CreateTempSubdirectory("cfg");
        try
        {
            var target = Path.Combine(dir.FullName, "ttyUSB0");
            File.WriteAllText(target, "");
            var link = Path.Combine(dir.FullName, "by-id-link");
            File.CreateSymbolicLink(link, target);

            var error = SingleError($$"""
                concentrator.ports {
                  a { device = "{{target}}", listeners = [{ port = 7000 }] }
                  b { device = "{{link}}", listeners = [{ port = 7001 }] }
                }
                """);

            Assert.Equal("device", error.Key);
            Assert.Contains("already served by port 'a'", error.Problem, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("baud = fast", "baud")]
    [InlineData("data-bits = 9", "data-bits")]
    [InlineData("stop-bits = 3", "stop-bits")]
    [InlineData("flow-control = cts", "flow-control")]
    [InlineData("idle-timeout = soon", "idle-timeout")]
    [InlineData("max-sessions = 0", "max-sessions")]
    [InlineData("scrollback = lots", "scrollback")]
    [InlineData("kick-old = maybe", "kick-old")]
    [InlineData("write-policy = anarchy", "write-policy")]
    [InlineData("device = \"sim:nothing\"", "device")]
    public void Every_bad_value_is_reported_with_its_key(string line, string key)
    {
        var error = SingleError($$"""
            concentrator.ports.lab { device = "sim:echo", listeners = [{ port = 7000 }] }
            concentrator.ports.lab { {{line}} }
            """);
        Assert.Equal(key, error.Key);
    }

    [Fact]
    public void All_problems_are_reported_at_once()
    {
        var result = Load("""
            concentrator.ports {
              a { device = "sim:echo", parity = pairty, listeners = [{ port = 70000 }] }
              b { listeners = [{ port = 7001, protocol = ssh }] }
            }
            """);

        Assert.Equal(["parity", "listeners[0].port", "device", "listeners[0].protocol"], result.Errors.Select(e => e.Key));
    }

    [Fact]
    public void Defaults_apply_to_every_port_unless_overridden()
    {
        var result = Load("""
            concentrator {
              defaults { baud = 9600, max-sessions = 3 }
              ports {
                a { device = "sim:echo", listeners = [{ port = 7000 }] }
                b { device = "sim:demo", baud = 57600, listeners = [{ port = 7001 }] }
              }
            }
            """);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal([9600, 57600], result.Settings!.Ports.Select(p => p.Line.BaudRate));
        Assert.All(result.Settings.Ports, p => Assert.Equal(3, p.MaxSessions));
    }

    [Theory]
    [InlineData("concentrator.ports.a { device = ${undefined.key} }", "not valid HOCON")]
    [InlineData("concentrator { }", "no ports configured")]
    [InlineData("other { }", "'concentrator { ports { ... } }'")]
    public void Structural_problems_are_explained(string hocon, string expected)
    {
        var result = Load(hocon);
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.ToString().Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_file_is_reported_by_name()
    {
        var result = ConfigLoader.LoadFile("/nonexistent/concentrator.conf");
        var error = Assert.Single(result.Errors);
        Assert.Equal("/nonexistent/concentrator.conf", error.File);
        Assert.Contains("cannot read", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_ports_logging_to_one_file_are_rejected_and_the_port_placeholder_separates_them()
    {
        var shared = SingleError("""
            concentrator {
              defaults { log { file = "logs/console.log" } }
              ports {
                a { device = "sim:echo", listeners = [{ port = 7000 }] }
                b { device = "sim:demo", listeners = [{ port = 7001 }] }
              }
            }
            """);
        Assert.Equal("log.file", shared.Key);
        Assert.Contains("already logs to this file", shared.Problem, StringComparison.Ordinal);

        var result = Load("""
            concentrator {
              defaults { log { file = "logs/{port}.log" } }
              ports {
                a { device = "sim:echo", listeners = [{ port = 7000 }] }
                b { device = "sim:demo", listeners = [{ port = 7001 }] }
              }
            }
            """);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(["/tmp/logs/a.log", "/tmp/logs/b.log"], result.Settings!.Ports.Select(p => p.Log!.File));
    }

    [Fact]
    public void Discovery_needs_the_port_placeholder_in_a_log_file()
    {
        var error = SingleError("""
            concentrator {
              defaults { log { file = "logs/console.log" } }
              discovery { match = "/dev/serial/by-id/*" }
            }
            """);
        Assert.Equal("log.file", error.Key);
        Assert.Contains("{port}", error.Problem, StringComparison.Ordinal);
    }
}
