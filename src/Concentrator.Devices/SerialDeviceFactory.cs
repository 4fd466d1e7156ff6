using Concentrator.Devices.Exec;
using Concentrator.Devices.Posix;
using Concentrator.Devices.Simulated;
using Concentrator.Devices.SystemIoPorts;

namespace Concentrator.Devices;

/// <summary>Opens serial devices by path and backend.</summary>
public static class SerialDeviceFactory
{
    /// <summary>The simulated device paths: sim:echo (loopback plug) and sim:demo (fake machine console).</summary>
    public static IReadOnlyList<string> SimulatedNames { get; } =
        [SimulatedEchoDevice.DevicePath, SimulatedDemoDevice.DevicePath];

    /// <summary>True for the sim:* paths opened by the simulated backend.</summary>
    public static bool IsSimulated(string path) =>
        path is not null && SimulatedNames.Contains(path, StringComparer.Ordinal);

    /// <summary>
    /// Opens <paramref name="path"/> and applies <paramref name="settings"/>. sim:* paths are simulated and exec: runs a
    /// program on a pty, whatever the backend; <see cref="DeviceBackend.Auto"/> is posix on Linux and System.IO.Ports elsewhere.
    /// </summary>
    /// <exception cref="DeviceFaultException">The device is missing or cannot be opened or configured.</exception>
    /// <exception cref="ArgumentException">An unknown sim: name.</exception>
    public static ISerialDevice Open(string path, DeviceBackend backend, LineSettings settings)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(settings);
        ISerialDevice device = path switch
        {
            _ when path.StartsWith(DeviceAddress.ExecPrefix, StringComparison.Ordinal) => ExecDevice.Start(path, Argv(path)),
            SimulatedEchoDevice.DevicePath => new SimulatedEchoDevice(),
            SimulatedDemoDevice.DevicePath => new SimulatedDemoDevice(),
            _ when path.StartsWith("sim:", StringComparison.Ordinal) => throw new ArgumentException(
                $"Unknown simulated device '{path}'; known: {string.Join(", ", SimulatedNames)}.", nameof(path)),
            _ => Resolve(backend) switch
            {
                DeviceBackend.Posix => PosixSerialDevice.Open(path),
                _ => SystemIoPortsDevice.Open(path),
            },
        };

        try
        {
            device.Apply(settings);
            return device;
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    private static IReadOnlyList<string> Argv(string path) =>
        DeviceAddress.TryParse(path, out var address, out var error) ? address.Arguments : throw new ArgumentException(error, nameof(path));

    /// <summary>The backend <paramref name="backend"/> stands for on this platform (never Auto).</summary>
    public static DeviceBackend Resolve(DeviceBackend backend) => backend switch
    {
        DeviceBackend.Auto => OperatingSystem.IsLinux() ? DeviceBackend.Posix : DeviceBackend.SystemIoPorts,
        _ => backend,
    };
}
