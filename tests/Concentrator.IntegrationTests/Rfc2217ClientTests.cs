using Concentrator.Devices;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests;

/// <summary>The real daemon's RFC 2217 listeners driven by a real pyserial (rfc2217:// URLs).</summary>
public sealed class Rfc2217ClientTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly List<IDisposable> _cleanup = [];
    private readonly List<PySerial> _clients = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        for (var i = _cleanup.Count - 1; i >= 0; i--)
        {
            _cleanup[i].Dispose();
        }
    }

    private T Track<T>(T item) where T : IDisposable
    {
        _cleanup.Add(item);
        return item;
    }

    private PySerial Client()
    {
        var client = PySerial.Start();
        _clients.Add(client);
        return client;
    }

    [Fact]
    public async Task A_flow_control_change_takes_effect_while_a_device_write_is_held_by_xoff()
    {
        var device = Track(VirtualSerialDevice.CreateTemp("xoff"));
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.p { device = "{{device.LinkPath}}", listeners = [ { port = {{tcp}}, protocol = rfc2217 } ] }
            """));
        daemon.WaitOnline("p");
        var py = Client();
        await py.OpenAsync(tcp, baudrate: 115200);
        await py.OkAsync(new { op = "set", name = "xonxoff", value = true });
        await Eventually.TrueAsync(() => device.GetTermios().FlowControl == FlowControl.XonXoff, TimeSpan.FromSeconds(2),
            () => $"the pty did not get XON/XOFF: {device.GetTermios()}");

        // The machine says XOFF: the tty stops sending, so the daemon's writes to the device block. The line discipline
        // takes the XOFF asynchronously but takes the machine's bytes in order: once a byte sent after it has come
        // through to the client, the tty is stopped (the sentinel).
        device.Write([0x13, (byte)'!']);
        Assert.Equal("!"u8.ToArray(), await py.ReadAsync(1, 5));

        // Nothing of this can reach the device while the tty is stopped: the daemon's write to the device is stuck.
        var payload = RandomBytes(new Random(19), 4096);
        await py.WriteAsync(payload);

        // Turning flow control off must not queue behind that stuck write: it is what releases it.
        await py.OkAsync(new { op = "set", name = "xonxoff", value = false }, TimeSpan.FromSeconds(5));
        Assert.Equal(payload, await device.ReadExactlyAsync(payload.Length, Timeout));
        Assert.Equal(FlowControl.None, device.GetTermios().FlowControl);
    }

    [Fact]
    public async Task Pyserial_on_a_pty_opens_fast_sets_the_baud_moves_every_byte_and_drives_the_lines()
    {
        var device = Track(VirtualSerialDevice.CreateTemp("pyser"));
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.p { device = "{{device.LinkPath}}", baud = 115200, listeners = [ { port = {{tcp}}, protocol = rfc2217 } ] }
            """));
        daemon.WaitOnline("p");
        var py = Client();

        var seconds = await py.OpenAsync(tcp, baudrate: 9600);
        Assert.True(seconds < 1.0, $"pyserial's open took {seconds:0.000} s");
        Assert.Equal(9600, device.GetTermios().BaudRate); // the open applied the client's rate

        await py.OkAsync(new { op = "set", name = "baudrate", value = 57600 });
        await Eventually.TrueAsync(() => device.GetTermios().BaudRate == 57600, TimeSpan.FromSeconds(1),
            () => $"the pty did not switch to 57600: {device.GetTermios()}");

        // Every byte value, then random data, byte-exact in both directions (0xFF is IAC on the wire).
        var random = new Random(2217);
        var payload = Enumerable.Range(0, 256).Select(i => (byte)i).Concat(RandomBytes(random, 4096)).ToArray();
        var atDevice = device.ReadExactlyAsync(payload.Length, Timeout);
        await py.WriteAsync(payload);
        Assert.Equal(payload, await atDevice);

        var back = Enumerable.Range(0, 256).Select(i => (byte)(255 - i)).Concat(RandomBytes(random, 4096)).ToArray();
        device.Write(back);
        var read = await py.ReadAsync(back.Length, 10);
        Assert.Equal(back, read);

        await py.CallAsync("send_break", 0.1);

        // ser2net 4.3 never answers these on a pty, and pyserial then fails with "timeout while waiting for option 'control'".
        Assert.True((await py.SetAsync("dtr", false)).GetProperty("ok").GetBoolean(), "setting DTR off failed");
        Assert.True((await py.SetAsync("rts", false)).GetProperty("ok").GetBoolean(), "setting RTS off failed");
        Assert.True((await py.SetAsync("dtr", true)).GetProperty("ok").GetBoolean(), "setting DTR on failed");
        Assert.True((await py.SetAsync("rts", true)).GetProperty("ok").GetBoolean(), "setting RTS on failed");

        // A pty has no modem inputs: the server reports a steady, connected cable.
        Assert.True((await py.GetAsync("cts")).GetBoolean());
        Assert.True((await py.GetAsync("dsr")).GetBoolean());
        Assert.True((await py.GetAsync("cd")).GetBoolean());

        // Still a working session after all that.
        device.Write("after\n"u8);
        Assert.Equal("after\n"u8.ToArray(), await py.ReadAsync(6, 5));
        Assert.False(daemon.HasExited);
    }

    [Fact]
    public async Task Pyserial_on_sim_echo_sets_seven_even_two_and_modem_inputs_follow_its_dtr_and_rts()
    {
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.e { device = "sim:echo", baud = 115200, listeners = [ { port = {{tcp}}, protocol = rfc2217 } ] }
            """));
        daemon.WaitOnline("e");
        var py = Client();

        // pyserial compares every reply with what it asked for and raises "remote rejected value" on a difference,
        // so a successful open means the server answered 19200, 7, EVEN and 2 as in effect.
        var seconds = await py.OpenAsync(tcp, baudrate: 19200, bytesize: 7, parity: "E", stopbits: 2);
        Assert.True(seconds < 1.0, $"pyserial's open took {seconds:0.000} s");

        byte[] loop = [.. "loopback "u8, 0xFF, 0x00, 0xFF, 0xFF, (byte)'\r', 0x00, (byte)'\r', (byte)'\n'];
        await py.WriteAsync(loop);
        Assert.Equal(loop, await py.ReadAsync(loop.Length, 5));

        // Changing them again on an open port: each change is confirmed with the new value.
        await py.OkAsync(new { op = "set", name = "bytesize", value = 8 });
        await py.OkAsync(new { op = "set", name = "parity", value = "O" });
        await py.OkAsync(new { op = "set", name = "stopbits", value = 1 });

        // sim:echo is a loopback plug: RTS drives CTS, DTR drives DSR and CD. pyserial learns them from NOTIFY-MODEMSTATE.
        Assert.True((await py.GetAsync("cts")).GetBoolean());
        Assert.True((await py.GetAsync("dsr")).GetBoolean());
        Assert.True((await py.GetAsync("cd")).GetBoolean());

        await py.OkAsync(new { op = "set", name = "rts", value = false });
        var cts = await py.WaitAsync("cts", false, 1.0);
        Assert.False(cts.Value, "CTS did not follow RTS off within 1 s");
        Assert.True((await py.GetAsync("dsr")).GetBoolean(), "DSR must stay on while DTR is on");

        await py.OkAsync(new { op = "set", name = "dtr", value = false });
        Assert.False((await py.WaitAsync("dsr", false, 1.0)).Value, "DSR did not follow DTR off within 1 s");
        Assert.False((await py.WaitAsync("cd", false, 1.0)).Value, "CD did not follow DTR off within 1 s");

        await py.OkAsync(new { op = "set", name = "rts", value = true });
        await py.OkAsync(new { op = "set", name = "dtr", value = true });
        Assert.True((await py.WaitAsync("cts", true, 1.0)).Value, "CTS did not follow RTS on within 1 s");
        Assert.True((await py.WaitAsync("dsr", true, 1.0)).Value, "DSR did not follow DTR on within 1 s");
        Assert.True((await py.WaitAsync("cd", true, 1.0)).Value, "CD did not follow DTR on within 1 s");

        // A second client opening with the settings in effect agrees with them (the port remembered 8O1).
        // This one polls (SB 44 7) when its cached modem state is older than 0.3 s and waits up to 3 s for the answer;
        // its debug log (stderr) says "polling modem state", and "poll for modem state failed" when none came.
        var second = Client();
        await second.OpenAsync(tcp, baudrate: 19200, bytesize: 8, parity: "O", stopbits: 1, query: "?poll_modem&logging=debug");
        await Task.Delay(400); // the behaviour under test: a cached state older than 0.3 s makes pyserial poll
        var logged = second.Stderr.Length;
        Assert.True((await second.GetAsync("cts")).GetBoolean());
        await Eventually.TrueAsync(() => second.Stderr[logged..].Contains("using cached modem state", StringComparison.Ordinal), Timeout,
            () => $"pyserial's log of the poll did not arrive: {second.Stderr[logged..]}");
        Assert.Contains("polling modem state", second.Stderr[logged..], StringComparison.Ordinal);
        Assert.DoesNotContain("poll for modem state failed", second.Stderr[logged..], StringComparison.Ordinal);
        await second.WriteAsync("both"u8.ToArray());
        Assert.Equal("both"u8.ToArray(), await py.ReadAsync(4, 5));
        Assert.Equal("both"u8.ToArray(), await second.ReadAsync(4, 5));
        Assert.False(daemon.HasExited);
    }

    [Fact]
    public async Task A_read_only_rfc2217_client_gets_the_values_in_effect_and_never_reaches_the_device()
    {
        var device = Track(VirtualSerialDevice.CreateTemp("ro"));
        int rw = FreeTcpPort.Next(), ro = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.r {
              device = "{{device.LinkPath}}"
              baud = 115200
              listeners = [ { port = {{rw}}, protocol = rfc2217 }, { port = {{ro}}, protocol = rfc2217, access = read-only } ]
            }
            """));
        daemon.WaitOnline("r");
        var watcher = Client();

        // Opening with the settings in effect works: every reply matches what pyserial asked for.
        await watcher.OpenAsync(ro, baudrate: 115200);

        // A change comes back as the value in effect; pyserial sees the difference and raises. The pty is untouched.
        var answer = await watcher.SetAsync("baudrate", 57600);
        Assert.False(answer.GetProperty("ok").GetBoolean(), "a read-only session's baud change was confirmed");
        Assert.Contains("baudrate", PySerial.ErrorOf(answer), StringComparison.Ordinal);

        // Its writes never reach the device.
        await watcher.WriteAsync("must not arrive"u8.ToArray());

        // The sentinel: its next request (the rate in effect, so accepted) is answered in order after everything it
        // sent before; once answered, neither the change nor the bytes can reach the device later.
        await watcher.OkAsync(new { op = "set", name = "baudrate", value = 115200 });
        Assert.Equal(115200, device.GetTermios().BaudRate);

        // It still sees the device's output.
        device.Write("console output\r\n"u8);
        Assert.Equal("console output\r\n"u8.ToArray(), await watcher.ReadAsync(16, 5));

        var writer = Client();
        await writer.OpenAsync(rw, baudrate: 115200);
        await writer.WriteAsync("from the writer"u8.ToArray());
        Assert.Equal("from the writer"u8.ToArray(), await device.ReadExactlyAsync(15, Timeout)); // nothing of the watcher's before it
        Assert.Equal(115200, device.GetTermios().BaudRate);
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
