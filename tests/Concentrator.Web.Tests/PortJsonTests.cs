using System.Text.Json;
using Concentrator.Devices;
using Concentrator.Ports.Management;
using Concentrator.Ports.Port;
using Concentrator.Web.Dashboard;

namespace Concentrator.Web.Tests;

/// <summary>The dashboard's JSON for a port, byte for byte (dashboard.js reads it): its line is the API's view plus the short form.</summary>
public sealed class PortJsonTests
{
    [Fact]
    public void A_port_is_written_as_before()
    {
        var snapshot = new PortSnapshot("lab", "/dev/ttyUSB0", DeviceState.Offline, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
            "gone", null, new LineSettings(9600, 7, Parity.Even, StopBits.OnePointFive, FlowControl.RtsCts),
            new ModemLines(true, false, false, true, false, false, true), new PortCounters(1, 2, 3, 4, 5, 6, 7), ["x"], ["raw on 127.0.0.1:7000"], [])
        { RaisedTriggers = ["panic"], Power = ["on", "cycle"] };
        var json = JsonSerializer.Serialize(PortJson.From(snapshot), DashboardJsonContext.Default.PortJson);
        Assert.Equal(
            "{'name':'lab','device':'/dev/ttyUSB0','state':'offline','since':'2026-01-02T03:04:05+00:00','detail':'gone','kernelNode':null," +
            "'line':{'baud':9600,'dataBits':7,'parity':'even','stopBits':'1.5','flowControl':'rtscts','text':'9600 7E1.5 rtscts'}," +
            "'modem':{'dtr':true,'rts':false,'break':false,'cts':true,'dsr':false,'ri':false,'cd':true}," +
            "'counters':{'bytesFromDevice':1,'bytesToDevice':2,'bytesDiscarded':3,'bytesDropped':4,'reopens':5,'sessionsOpened':6,'sessionsRefused':7}," +
            "'tags':['x'],'listeners':['raw on 127.0.0.1:7000'],'sessions':[],'raisedTriggers':['panic'],'power':['on','cycle']}",
            json.Replace('"', '\''));
    }
}
