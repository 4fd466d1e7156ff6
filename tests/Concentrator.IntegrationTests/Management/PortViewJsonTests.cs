using System.Text.Json;
using Concentrator.Api;
using Concentrator.Api.Ports;
using Concentrator.Devices;
using Concentrator.Ports.Management;
using Concentrator.Ports.Port;

namespace Concentrator.IntegrationTests.Management;

/// <summary>The API's JSON for a port, byte for byte: the views are shared with the dashboard, their shape must not drift.</summary>
public sealed class PortViewJsonTests
{
    private static readonly PortSnapshot Snapshot = new("lab", "/dev/ttyUSB0", DeviceState.Online,
        new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), null, "/dev/ttyUSB0",
        new LineSettings(9600, 7, Parity.Even, StopBits.OnePointFive, FlowControl.RtsCts),
        new ModemLines(true, false, false, true, false, false, true), new PortCounters(1, 2, 3, 4, 5, 6, 7),
        ["x"], ["raw on 127.0.0.1:7000"], [])
    { ListenersDown = ["telnet on 127.0.0.1:7001"], RaisedTriggers = ["panic"], Power = ["cycle"] };

    [Fact]
    public void A_port_is_written_as_before()
    {
        var json = JsonSerializer.Serialize(PortView.From(Snapshot, "n1"), ApiJsonContext.Default.PortView);
        Assert.Equal(
            "{'name':'lab','state':'online','stateSince':'2026-01-02T03:04:05+00:00','stateDetail':null,'device':'/dev/ttyUSB0'," +
            "'kernelNode':'/dev/ttyUSB0','line':{'baud':9600,'dataBits':7,'parity':'even','stopBits':'1.5','flowControl':'rtscts'}," +
            "'modem':{'dtr':true,'rts':false,'break':false,'cts':true,'dsr':false,'ri':false,'cd':true}," +
            "'counters':{'bytesFromDevice':1,'bytesToDevice':2,'bytesDiscarded':3,'bytesDropped':4,'reopens':5,'sessionsOpened':6,'sessionsRefused':7}," +
            "'tags':['x'],'listeners':['raw on 127.0.0.1:7000'],'listenersDown':['telnet on 127.0.0.1:7001'],'sessions':[],'node':'n1','raisedTriggers':['panic'],'power':['cycle']}",
            json.Replace('"', '\''));
        Assert.Equal("9600 7E1.5 rtscts", PortView.From(Snapshot).Line.ToString());
    }
}
