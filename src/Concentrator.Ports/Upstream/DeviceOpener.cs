using Concentrator.Devices;

namespace Concentrator.Ports.Upstream;

/// <summary>
/// Opens a port's device whatever its kind: upstream servers (tcp://, telnet://, rfc2217://) here, where the telnet
/// codec is at hand; local nodes, sim: and exec: through <see cref="SerialDeviceFactory"/>. Blocking: call it off any
/// actor (the device link opens on a pool thread).
/// </summary>
public static class DeviceOpener
{
    /// <summary>How long a connection to an upstream server may take before the port says it timed out.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <exception cref="DeviceFaultException">The device cannot be opened; the message is the reason the port shows.</exception>
    public static ISerialDevice Open(string device, DeviceBackend backend, LineSettings line)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(line);
        if (!DeviceAddress.TryParse(device, out var address, out var error))
        {
            throw new DeviceFaultException($"device '{device}': {error}");
        }

        if (!address.IsNetwork)
        {
            return SerialDeviceFactory.Open(device, backend, line);
        }

        var upstream = UpstreamDevice.Connect(address, ConnectTimeout);
        try
        {
            upstream.Apply(line);
            return upstream;
        }
        catch
        {
            upstream.Dispose();
            throw;
        }
    }
}
