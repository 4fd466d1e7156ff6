using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Upstream;

/// <summary>
/// Our own daemon as the upstream (its sim:echo wires DTR to DSR and CD, RTS to CTS, so a change shows which way it
/// went): control lines from a pyserial client of the outer port reach the inner port's device, and the modem state
/// the inner port notifies comes back out; a telnet:// port carries every byte value through a telnet server.
/// </summary>
public sealed class ChainedUpstreamTests : IntegrationTest, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private PySerial? _py;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_py is not null)
        {
            await _py.DisposeAsync();
        }
    }

    [Fact]
    public async Task Dtr_and_rts_go_up_an_rfc2217_hop_and_the_modem_state_comes_back()
    {
        var inner = FreeTcpPort.Next();
        var outer = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports {
              inner { device = "sim:echo", listeners = [ { port = {{inner}}, protocol = rfc2217 } ] }
              outer { device = "rfc2217://127.0.0.1:{{inner}}", listeners = [ { port = {{outer}}, protocol = rfc2217 } ] }
            }
            """));
        daemon.WaitOnline("inner", "outer");
        _py = PySerial.Start();
        await _py.OpenAsync(outer, baudrate: 19200);

        // Lowered DTR reaches sim:echo behind the inner port, which drops DSR and CD; that comes back through both hops.
        Assert.True((await _py.SetAsync("dtr", false)).GetProperty("ok").GetBoolean());
        Assert.False((await _py.WaitAsync("dsr", false, 10)).Value, "DSR did not follow DTR through the hop");
        Assert.False((await _py.WaitAsync("cd", false, 10)).Value, "CD did not follow DTR through the hop");
        Assert.True((await _py.SetAsync("dtr", true)).GetProperty("ok").GetBoolean());
        Assert.True((await _py.WaitAsync("dsr", true, 10)).Value, "DSR did not come back");
        Assert.True((await _py.SetAsync("rts", false)).GetProperty("ok").GetBoolean());
        Assert.False((await _py.WaitAsync("cts", false, 10)).Value, "CTS did not follow RTS through the hop");

        // The line settings our client set are the inner port's too, and bytes come back through both hops.
        using var api = new Management.ApiHttp(daemon.ApiUrl);
        await Eventually.TrueAsync(async () => (await api.GetAsync("/api/ports/inner")).Json.GetProperty("line").GetProperty("baud").GetInt32() == 19200,
            Timeout, () => api.GetAsync("/api/ports/inner").Result.Text);
        var data = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        await _py.WriteAsync(data);
        Assert.Equal(data, await _py.ReadAsync(data.Length, 10));
    }

    [Fact]
    public void A_telnet_port_carries_every_byte_value_through_a_telnet_server()
    {
        var inner = FreeTcpPort.Next();
        var outer = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports {
              inner { device = "sim:echo", escape = off, listeners = [ { port = {{inner}}, protocol = telnet } ] }
              outer { device = "telnet://127.0.0.1:{{inner}}", listeners = [ { port = {{outer}}, protocol = raw } ] }
            }
            """));
        daemon.WaitOnline("inner", "outer");
        using var session = TcpClientSession.Connect(outer);

        var data = Enumerable.Range(0, 256).Select(i => (byte)i).Concat(Enumerable.Repeat((byte)0xFF, 64)).Concat("\r\n\r\0"u8.ToArray()).ToArray();
        session.Send(data);
        Assert.Equal(data, session.ReadExactly(data.Length, Timeout));
    }
}
