using CsCheck;

namespace Concentrator.Devices.Tests;

public sealed class DeviceAddressTests
{
    [Theory]
    [InlineData("/dev/ttyUSB0", DeviceKind.Local, "", 0)]
    [InlineData("sim:echo", DeviceKind.Simulated, "", 0)]
    [InlineData("tcp://10.0.0.5:7001", DeviceKind.Tcp, "10.0.0.5", 7001)]
    [InlineData("telnet://ts1.lab:2003", DeviceKind.Telnet, "ts1.lab", 2003)]
    [InlineData("rfc2217://[::1]:2217", DeviceKind.Rfc2217, "::1", 2217)]
    [InlineData("RFC2217://host:1", DeviceKind.Rfc2217, "host", 1)]
    public void Kinds_hosts_and_ports_are_read(string text, DeviceKind kind, string host, int port)
    {
        Assert.True(DeviceAddress.TryParse(text, out var address, out var error), error);
        Assert.Equal((kind, host, port), (address.Kind, address.Host, address.Port));
        Assert.Equal(kind == DeviceKind.Local, DeviceAddress.IsNode(text));
    }

    [Theory]
    [InlineData("tcp://host", "host:port")]
    [InlineData("tcp://host:0", "1 to 65535")]
    [InlineData("tcp://host:70000", "1 to 65535")]
    [InlineData("rfc2217://host:port", "1 to 65535")]
    [InlineData("telnet://:23", "host:port")]
    [InlineData("telnet://a:b:23", "IPv6 host in brackets")]
    [InlineData("tcp://host:23/path", "1 to 65535")]
    [InlineData("tcp://user@host:23", "no user")]
    [InlineData("ssh://host:22", "unknown device kind")]
    [InlineData("exec:", "no program")]
    [InlineData("exec:ipmitool 'sol", "single quote")]
    [InlineData("exec:ipmitool \"sol", "double quote")]
    public void Malformed_devices_are_explained(string text, string expected)
    {
        Assert.False(DeviceAddress.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Exec_argv_is_split_on_spaces_with_quotes_and_no_expansion()
    {
        Assert.True(DeviceAddress.TryParse("exec:/usr/bin/ipmitool -I lanplus  -H 'bmc 1' -P \"a \\\"b\\\"\" sol\\ x $HOME *", out var address, out _));
        Assert.Equal(DeviceKind.Exec, address.Kind);
        Assert.Equal(["/usr/bin/ipmitool", "-I", "lanplus", "-H", "bmc 1", "-P", "a \"b\"", "sol x", "$HOME", "*"], address.Arguments);
    }

    [Fact]
    public void Joined_words_split_back_to_themselves()
    {
        var word = Gen.Frequency(
            (3, Gen.String[Gen.Char["a-z/._-"], 1, 8]),
            (1, Gen.String[Gen.Char.AlphaNumeric, 0, 4]),
            (2, Gen.String[Gen.Char["a \t'\"\\$*é"], 0, 8]));
        word.Array[1, 6].Sample(words =>
        {
            Assert.True(CommandWords.TrySplit(CommandWords.Join(words), out var back, out var error), error);
            Assert.Equal(words, back);
        }, iter: 2000);
    }
}
