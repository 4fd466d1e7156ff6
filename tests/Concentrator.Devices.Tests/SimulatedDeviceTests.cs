using System.Diagnostics;
using System.Text;
using Concentrator.Devices.Simulated;
using static Concentrator.Devices.Tests.PosixSerialDeviceTests;

namespace Concentrator.Devices.Tests;

public sealed class SimulatedDeviceTests
{
    [Fact]
    public async Task Echo_returns_every_byte_written_in_order()
    {
        using var dev = new SimulatedEchoDevice();
        var data = RandomBytes(300 * 1024, 5); // more than the bounded buffer: the writer must block, not grow
        var writer = RunThread(() => dev.Write(data));
        var reader = RunThread(() => ReadExactly(dev, data.Length));
        await writer.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(data, await reader.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Echo_write_blocks_when_the_buffer_is_full_until_dispose()
    {
        var dev = new SimulatedEchoDevice();
        var writer = RunThread(() => dev.Write(new byte[SimulatedDevice.ReceiveCapacity + 1]));
        await Task.Delay(150); // the write must still be blocked after a while (nothing signals "blocked")
        Assert.False(writer.IsCompleted);
        dev.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => writer.WaitAsync(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Echo_read_blocks_and_returns_zero_on_dispose()
    {
        var dev = new SimulatedEchoDevice();
        var read = RunThread(() => dev.Read(new byte[4096]));
        await Task.Delay(100); // the read must still be waiting after a while (nothing signals "blocked")
        Assert.False(read.IsCompleted);
        dev.Dispose();
        Assert.Equal(0, await read.WaitAsync(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Echo_modem_lines_follow_dtr_and_rts()
    {
        using var dev = new SimulatedEchoDevice();
        Assert.True(dev.SetDtr(false));
        Assert.True(dev.SetRts(false));
        Assert.Equal(ModemStatus.None, dev.ReadModemStatus());
        Assert.True(dev.SetDtr(true));
        Assert.Equal(ModemStatus.DataSetReady | ModemStatus.CarrierDetect, dev.ReadModemStatus());
        Assert.True(dev.SetRts(true));
        Assert.Equal(ModemStatus.DataSetReady | ModemStatus.CarrierDetect | ModemStatus.ClearToSend,
            dev.ReadModemStatus());
        Assert.True(dev.SetDtr(false));
        Assert.Equal(ModemStatus.ClearToSend, dev.ReadModemStatus());
    }

    [Fact]
    public void Echo_accepts_every_setting_and_break()
    {
        using var dev = new SimulatedEchoDevice();
        var odd = new LineSettings(1234567, 5, Parity.Mark, StopBits.OnePointFive, FlowControl.RtsCts);
        Assert.Equal(odd, dev.Apply(odd));
        Assert.True(dev.SetBreak(true));
        Assert.True(dev.BreakOn);
        Assert.True(dev.SetBreak(false));
        Assert.Equal("sim:echo", dev.Path);
        Assert.True(dev.Capabilities.HasFlag(DeviceCapabilities.Break));
    }

    [Fact]
    public void Echo_purge_receive_drops_pending_bytes()
    {
        using var dev = new SimulatedEchoDevice();
        dev.Write("stale"u8);
        dev.Purge(PurgeTarget.Receive);
        dev.Write("fresh"u8);
        var buffer = new byte[64];
        Assert.Equal("fresh", Encoding.ASCII.GetString(buffer, 0, dev.Read(buffer)));
    }

    [Fact]
    public async Task Demo_device_boots_paced_then_logs_in_over_the_device_interface()
    {
        using var dev = new SimulatedDemoDevice();
        var sw = Stopwatch.StartNew();
        var boot = await RunThread(() => ReadUntil(dev, DemoConsole.LoginPrompt)).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(sw.Elapsed > TimeSpan.FromMilliseconds(700), $"boot took only {sw.Elapsed}");
        Assert.Contains("Linux version", boot, StringComparison.Ordinal);

        dev.Write("root\r"u8);
        Assert.EndsWith(DemoConsole.PasswordPrompt, ReadUntil(dev, DemoConsole.PasswordPrompt), StringComparison.Ordinal);
        dev.Write("secret\r"u8);
        var welcome = ReadUntil(dev, DemoConsole.ShellPrompt);
        Assert.DoesNotContain("secret", welcome, StringComparison.Ordinal);
        dev.Write("echo hi there\r"u8);
        Assert.Equal("echo hi there\r\nhi there\r\ndemo:~$ ", ReadUntil(dev, DemoConsole.ShellPrompt));
    }

    [Fact]
    public async Task Demo_device_read_returns_zero_on_dispose_while_idle()
    {
        var dev = new SimulatedDemoDevice();
        _ = await RunThread(() => ReadUntil(dev, DemoConsole.LoginPrompt)).WaitAsync(TimeSpan.FromSeconds(5));
        var read = RunThread(() => dev.Read(new byte[4096]));
        await Task.Delay(100); // idle after boot: the read must still be waiting after a while
        Assert.False(read.IsCompleted);
        dev.Dispose();
        Assert.Equal(0, await read.WaitAsync(TimeSpan.FromSeconds(1)));
    }

    private static string ReadUntil(ISerialDevice dev, string expected)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        while (!text.ToString().EndsWith(expected, StringComparison.Ordinal))
        {
            var n = dev.Read(buffer);
            Assert.True(n > 0, $"device closed while waiting for '{expected}', got '{text}'");
            text.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }

        return text.ToString();
    }
}
