using Concentrator.Ports.Configuration;
using Concentrator.Ports.Power;

namespace Concentrator.Ports.Tests.Power;

public sealed class PowerConfigTests
{
    private static ConfigResult Load(string power) =>
        ConfigLoader.Load($$"""concentrator.ports.lab { device = "sim:echo", listeners = [ { port = 7000 } ], {{power}} }""", "test.conf", "/tmp");

    [Fact]
    public void Argv_commands_are_read_per_action()
    {
        var result = Load("""power { on = ["/usr/local/bin/pdu", "outlet 3", "on"], cycle = ["pdu", "cycle"], timeout = 5s }""");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var power = result.Settings!.Ports[0].Power!;
        Assert.Equal(["/usr/local/bin/pdu", "outlet 3", "on"], power.Commands[PowerAction.On]);
        Assert.Equal(["pdu", "cycle"], power.Commands[PowerAction.Cycle]);
        Assert.False(power.Commands.ContainsKey(PowerAction.Off));
        Assert.Equal(TimeSpan.FromSeconds(5), power.Timeout);
    }

    [Fact]
    public void Ipmi_runs_ipmitool_with_the_password_file_never_the_password()
    {
        var file = Path.GetTempFileName();
        try
        {
            var result = Load($$"""power { ipmi { host = "bmc-3", user = "admin", password-file = "{{file}}", port = 6230 } }""");
            Assert.True(result.IsValid, string.Join("\n", result.Errors));
            var power = result.Settings!.Ports[0].Power!;
            Assert.Equal(["ipmitool", "-I", "lanplus", "-H", "bmc-3", "-p", "6230", "-U", "admin", "-f", file, "chassis", "power", "cycle"],
                power.Commands[PowerAction.Cycle]);
            Assert.All(power.Commands.Values, argv => Assert.DoesNotContain("-P", argv));
            Assert.Equal("ipmi bmc-3:6230", power.Kind);
            var suite3 = Load($$"""power { ipmi { host = "bmc-3", user = "admin", password-file = "{{file}}", cipher-suite = 3 } }""");
            Assert.Equal(["ipmitool", "-I", "lanplus", "-C", "3", "-H", "bmc-3", "-p", "623"], suite3.Settings!.Ports[0].Power!.Commands[PowerAction.On].Take(9));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("""power = "pdu on" """, "power")]
    [InlineData("""power { on = "pdu on" }""", "power.on")]
    [InlineData("""power { on = [] }""", "power.on")]
    [InlineData("""power { timeout = 5s }""", "power")]
    [InlineData("""power { reboot = ["x"] }""", "power.reboot")]
    [InlineData("""power { ipmi { host = "bmc", user = "admin" } }""", "power.ipmi.password-file")]
    [InlineData("""power { ipmi { host = "bmc", user = "admin", password-file = "/nonexistent/pw" } }""", "power.ipmi.password-file")]
    [InlineData("""power { on = ["x"], ipmi { host = "bmc" } }""", "power")]
    public void Malformed_power_names_the_key(string power, string key)
    {
        var result = Load(power);
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Key == key && e.File == "test.conf");
    }

    [Fact]
    public void A_changed_power_command_is_a_changed_key_on_reload()
    {
        var before = Load("""power { on = ["pdu", "on"] }""").Settings!.Ports[0];
        var same = Load("""power { on = ["pdu", "on"] }""").Settings!.Ports[0];
        var after = Load("""power { on = ["pdu", "1", "on"] }""").Settings!.Ports[0];
        Assert.Empty(PortSettingsDiff.Keys(before, same));
        Assert.Equal(["power"], PortSettingsDiff.Keys(before, after));
    }
}
