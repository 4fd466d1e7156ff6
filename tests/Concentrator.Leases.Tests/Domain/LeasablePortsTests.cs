using System.Net;
using Concentrator.Leases.Domain;
using Concentrator.Ports.Configuration;
using Concentrator.Testing;

namespace Concentrator.Leases.Tests.Domain;

public sealed class LeasablePortsTests
{
    private static ListenerSettings Listener(string bind, int tcp, SessionAccess access) =>
        PortSettingsBuilder.Listener(ListenerProtocol.Rfc2217, access, tcp) with { Bind = IPAddress.Parse(bind) };

    private static PortSettings Port(params ListenerSettings[] listeners) =>
        PortSettingsBuilder.Port("rpi-1") with { Listeners = listeners, Tags = ["board:rpi4"] };

    [Fact]
    public void The_endpoint_is_the_first_read_write_listener_with_the_host_name_for_an_any_address_and_brackets_for_IPv6()
    {
        Assert.Equal("10.0.0.1:7001", LeasablePorts.Endpoint(Port(Listener("10.0.0.1", 7100, SessionAccess.ReadOnly),
            Listener("10.0.0.1", 7001, SessionAccess.ReadWrite))));
        Assert.Equal($"{Dns.GetHostName()}:7001", LeasablePorts.Endpoint(Port(Listener("0.0.0.0", 7001, SessionAccess.ReadWrite))));
        Assert.Equal("[fd00::5]:7001", LeasablePorts.Endpoint(Port(Listener("fd00::5", 7001, SessionAccess.ReadWrite))));
        Assert.Null(LeasablePorts.Endpoint(Port(Listener("10.0.0.1", 7100, SessionAccess.ReadOnly))));
        Assert.Equal(["board:rpi4"], LeasablePorts.From(Port(Listener("10.0.0.1", 7001, SessionAccess.ReadWrite))).Tags);
    }
}
