using Concentrator.Devices.Posix;
using Concentrator.Devices.Simulated;
using Concentrator.Devices.SystemIoPorts;
using Concentrator.Testing;

namespace Concentrator.Devices.Tests;

public sealed class SerialDeviceFactoryTests
{
    [Theory]
    [InlineData(DeviceBackend.Auto)]
    [InlineData(DeviceBackend.Posix)]
    [InlineData(DeviceBackend.SystemIoPorts)]
    public void Sim_paths_are_simulated_whatever_the_backend(DeviceBackend backend)
    {
        var settings = new LineSettings(9600, 7, Parity.Even, StopBits.One, FlowControl.None);
        using var echo = SerialDeviceFactory.Open("sim:echo", backend, settings);
        Assert.IsType<SimulatedEchoDevice>(echo);
        Assert.Equal(settings, ((SimulatedEchoDevice)echo).Settings);
        using var demo = SerialDeviceFactory.Open("sim:demo", backend, settings);
        Assert.IsType<SimulatedDemoDevice>(demo);
    }

    [Fact]
    public void Simulated_names_and_detection()
    {
        Assert.Equal(["sim:echo", "sim:demo"], SerialDeviceFactory.SimulatedNames);
        Assert.True(SerialDeviceFactory.IsSimulated("sim:echo"));
        Assert.True(SerialDeviceFactory.IsSimulated("sim:demo"));
        Assert.False(SerialDeviceFactory.IsSimulated("sim:nope"));
        Assert.False(SerialDeviceFactory.IsSimulated("/dev/ttyUSB0"));
        Assert.Throws<ArgumentException>(() => SerialDeviceFactory.Open("sim:nope", DeviceBackend.Auto, LineSettings.Default));
    }

    [Fact]
    public void Auto_is_posix_on_linux_and_applies_the_settings()
    {
        using var machine = VirtualSerialDevice.CreateTemp("factory");
        var settings = new LineSettings(230400, 8, Parity.None, StopBits.Two, FlowControl.XonXoff);
        using var dev = SerialDeviceFactory.Open(machine.LinkPath, DeviceBackend.Auto, settings);
        Assert.Equal(OperatingSystem.IsLinux() ? typeof(PosixSerialDevice) : typeof(SystemIoPortsDevice), dev.GetType());
        Assert.Equal(settings, machine.GetTermios().ToLineSettings());
    }

    [Fact]
    public void System_io_ports_backend_is_chosen_explicitly()
    {
        using var machine = VirtualSerialDevice.CreateTemp("factory");
        using var dev = SerialDeviceFactory.Open(machine.LinkPath, DeviceBackend.SystemIoPorts, LineSettings.Default with { BaudRate = 38400 });
        Assert.IsType<SystemIoPortsDevice>(dev);
        Assert.Equal(38400, machine.GetTermios().BaudRate);
    }

    [Fact]
    public void Missing_device_is_a_fault_naming_the_path()
    {
        var path = $"/tmp/missing-{Guid.NewGuid():N}";
        var ex = Assert.Throws<DeviceFaultException>(() => SerialDeviceFactory.Open(path, DeviceBackend.Auto, LineSettings.Default));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Equal(PosixNative.ENOENT, ex.Errno);
    }
}
