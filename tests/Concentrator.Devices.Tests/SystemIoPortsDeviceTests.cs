using Concentrator.Devices.SystemIoPorts;
using Concentrator.Testing;
using static Concentrator.Devices.Tests.PosixSerialDeviceTests;

namespace Concentrator.Devices.Tests;

public sealed class SystemIoPortsDeviceTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly VirtualSerialDevice _machine = VirtualSerialDevice.CreateTemp("sio");

    public void Dispose() => _machine.Dispose();

    [Fact]
    public void Opens_the_pty_link_and_applies_settings()
    {
        using var dev = SystemIoPortsDevice.Open(_machine.LinkPath);
        Assert.Equal(_machine.SlavePath, dev.KernelNode);
        var inEffect = dev.Apply(new LineSettings(57600, 8, Parity.None, StopBits.Two, FlowControl.RtsCts));
        Assert.Equal(new LineSettings(57600, 8, Parity.None, StopBits.Two, FlowControl.RtsCts), inEffect);
        var kernel = _machine.GetTermios();
        Assert.Equal(57600, kernel.BaudRate);
        Assert.Equal(StopBits.Two, kernel.StopBits);
        Assert.Equal(FlowControl.RtsCts, kernel.FlowControl);
    }

    [Fact]
    public void Mark_parity_is_reported_honestly_off_windows()
    {
        using var dev = SystemIoPortsDevice.Open(_machine.LinkPath);
        var inEffect = dev.Apply(LineSettings.Default with { Parity = Parity.Mark });
        Assert.Equal(Parity.None, inEffect.Parity);
        Assert.False(dev.Capabilities.HasFlag(DeviceCapabilities.MarkSpaceParity));
    }

    [Fact]
    public async Task Data_crosses_both_ways()
    {
        using var dev = SystemIoPortsDevice.Open(_machine.LinkPath);
        dev.Apply(LineSettings.Default);
        var toMachine = RandomBytes(64 * 1024, 3);
        var fromMachine = RandomBytes(64 * 1024, 4);

        var machineReads = _machine.ReadExactlyAsync(toMachine.Length, Timeout);
        var deviceWrites = RunThread(() => dev.Write(toMachine));
        var machineWrites = RunThread(() => _machine.Write(fromMachine));
        var deviceReads = RunThread(() => ReadExactly(dev, fromMachine.Length));

        await Task.WhenAll(deviceWrites, machineWrites).WaitAsync(Timeout);
        Assert.Equal(toMachine, await machineReads.WaitAsync(Timeout));
        Assert.Equal(fromMachine, await deviceReads.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Dispose_unblocks_a_read()
    {
        var dev = SystemIoPortsDevice.Open(_machine.LinkPath);
        var read = RunThread(() => dev.Read(new byte[4096]));
        await Task.Delay(100); // no condition says "blocked in read": the read must simply still be waiting
        Assert.False(read.IsCompleted);
        dev.Dispose();
        Assert.Equal(0, await read.WaitAsync(TimeSpan.FromSeconds(1)));
        dev.Dispose();
        Assert.Throws<ObjectDisposedException>(() => dev.Write([1]));
    }

    [Fact]
    public async Task Unplug_makes_a_blocked_read_fault_instead_of_hanging()
    {
        using var dev = SystemIoPortsDevice.Open(_machine.LinkPath);
        var read = RunThread(() => dev.Read(new byte[4096]));
        await Task.Delay(100); // give the read time to block (not observable); a read started later faults too
        _machine.Unplug();
        await Assert.ThrowsAsync<DeviceFaultException>(() => read.WaitAsync(TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public void Modem_lines_on_a_pty_are_unsupported_without_throwing()
    {
        using var dev = SystemIoPortsDevice.Open(_machine.LinkPath);
        Assert.False(dev.SetDtr(true));
        Assert.False(dev.SetRts(true));
        Assert.Null(dev.ReadModemStatus());
    }

    [Fact]
    public void Opening_a_missing_path_is_a_fault_naming_the_path()
    {
        var path = $"/tmp/no-such-serial-{Guid.NewGuid():N}";
        var ex = Assert.Throws<DeviceFaultException>(() => SystemIoPortsDevice.Open(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }
}
