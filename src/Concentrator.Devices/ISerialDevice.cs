namespace Concentrator.Devices;

/// <summary>
/// An open serial device. The seam every backend implements (posix termios, System.IO.Ports, simulated).
/// </summary>
/// <remarks>
/// Threading contract: <see cref="Read"/> and <see cref="Write"/> block and are called from two different
/// dedicated threads at the same time (one reader, one writer); all other members may be called from any one
/// thread, and <see cref="Purge"/> and <see cref="Apply"/> also while a <see cref="Write"/> blocks (that is how
/// a write stuck behind flow control is released). <see cref="IDisposable.Dispose"/> may be called from any thread
/// and makes a blocked <see cref="Read"/> return 0 and a blocked <see cref="Write"/> throw <see cref="ObjectDisposedException"/> or <see cref="DeviceFaultException"/>
/// promptly. Nothing here is ever called from an actor's receive except the quick, non-blocking control calls.
/// </remarks>
public interface ISerialDevice : IDisposable
{
    /// <summary>The device path as configured (e.g. /dev/serial/by-id/..., sim:echo).</summary>
    string Path { get; }

    /// <summary>The node actually opened (symlinks resolved, e.g. /dev/ttyUSB3), for reporting.</summary>
    string KernelNode { get; }

    DeviceCapabilities Capabilities { get; }

    /// <summary>
    /// Applies line settings and returns the settings actually in effect (which may differ, e.g. a baud rate
    /// the driver rounded, or mark parity on a backend without it).
    /// </summary>
    LineSettings Apply(LineSettings wanted);

    /// <summary>
    /// Blocks until at least one byte is available, then reads as many as are available up to the buffer size.
    /// Returns 0 when the device was disposed. Throws <see cref="DeviceFaultException"/> when the device is
    /// gone (unplugged, I/O error).
    /// </summary>
    int Read(Span<byte> buffer);

    /// <summary>Writes all bytes, blocking while the device's output buffer is full. Throws <see cref="DeviceFaultException"/>.</summary>
    void Write(ReadOnlySpan<byte> data);

    /// <summary>
    /// Writes what the device takes now, without ever waiting, and returns how many bytes that was (0 when its
    /// buffer is full, or when the backend has no such path). Called only while no <see cref="Write"/> runs.
    /// Throws <see cref="DeviceFaultException"/>.
    /// </summary>
    int TryWrite(ReadOnlySpan<byte> data) => 0;

    /// <summary>Turns the break condition on or off. False when the device cannot send a break.</summary>
    bool SetBreak(bool on);

    /// <summary>Drives DTR. False when the device has no such line (a pty); the caller tracks the value itself.</summary>
    bool SetDtr(bool on);

    /// <summary>Drives RTS. False when the device has no such line.</summary>
    bool SetRts(bool on);

    /// <summary>Reads CTS/DSR/RI/CD; null when the device has no modem status lines.</summary>
    ModemStatus? ReadModemStatus();

    /// <summary>Discards buffered data in the given direction(s).</summary>
    void Purge(PurgeTarget target);
}
