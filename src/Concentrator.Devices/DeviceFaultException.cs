namespace Concentrator.Devices;

/// <summary>The device failed or disappeared; the port goes offline and the device is reopened later.</summary>
public sealed class DeviceFaultException : IOException
{
    public DeviceFaultException() { }

    public DeviceFaultException(string message) : base(message) { }

    public DeviceFaultException(string message, Exception inner) : base(message, inner) { }

    public DeviceFaultException(string message, int errno) : base(message) => Errno = errno;

    /// <summary>The POSIX errno behind the fault, when there is one (ENOENT: device missing, EIO/ENXIO: unplugged).</summary>
    public int Errno { get; }
}
