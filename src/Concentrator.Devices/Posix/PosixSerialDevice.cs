using System.Runtime.InteropServices;
using static Concentrator.Devices.Posix.PosixNative;

namespace Concentrator.Devices.Posix;

/// <summary>
/// A serial device opened with open(2) and configured through Linux termios2 (any baud rate). The fd stays
/// non-blocking; <see cref="Read"/> and <see cref="Write"/> wait in poll(2) on the fd plus an eventfd that
/// <see cref="Dispose"/> signals, so disposal from another thread unblocks them promptly.
/// </summary>
public sealed partial class PosixSerialDevice : ISerialDevice
{
    private readonly FileDescriptorHandle _fd;
    private readonly FileDescriptorHandle _wake;
    private readonly Lock _controlLock = new();
    private volatile bool _disposed;
    private int _disposeStarted;

    private PosixSerialDevice(string path, string kernelNode, FileDescriptorHandle fd, FileDescriptorHandle wake,
        DeviceCapabilities capabilities)
    {
        Path = path;
        KernelNode = kernelNode;
        _fd = fd;
        _wake = wake;
        Capabilities = capabilities;
    }

    /// <inheritdoc />
    public string Path { get; }

    /// <inheritdoc />
    public string KernelNode { get; }

    /// <inheritdoc />
    public DeviceCapabilities Capabilities { get; }

    /// <summary>
    /// Opens <paramref name="path"/> (O_RDWR|O_NOCTTY|O_NONBLOCK|O_CLOEXEC), takes exclusive use (TIOCEXCL) where
    /// possible, puts the line in raw mode and probes what the device supports. The line settings are left as
    /// found apart from raw mode; call <see cref="Apply"/>.
    /// </summary>
    /// <exception cref="DeviceFaultException">The device is missing (Errno ENOENT), busy, or not a terminal.</exception>
    /// <exception cref="PlatformNotSupportedException">Not Linux on x86_64/arm64.</exception>
    public static PosixSerialDevice Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        EnsureSupported();

        var raw = PosixNative.Open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (raw < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            var message = errno == ENOENT
                ? $"Serial device '{path}' does not exist (ENOENT)."
                : $"Cannot open serial device '{path}': {ErrorText(errno)} (errno {errno}).";
            throw new DeviceFaultException(message, errno);
        }

        var fd = new FileDescriptorHandle(raw, isTerminal: true);
        try
        {
            _ = Ioctl(raw, TIOCEXCL, 0); // best effort: not every driver supports exclusive mode

            var t = default(Termios2);
            if (Ioctl(raw, TCGETS2, ref t) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new DeviceFaultException(
                    $"'{path}' is not a serial device (TCGETS2 failed: {ErrorText(errno)}, errno {errno}).", errno);
            }

            MakeRaw(ref t);
            SetOrThrow(raw, ref t, path);

            var caps = Probe(raw, t);

            var wakeRaw = EventFd(0, EFD_CLOEXEC | EFD_NONBLOCK);
            if (wakeRaw < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new DeviceFaultException($"eventfd failed for '{path}': {ErrorText(errno)}.", errno);
            }

            var wake = new FileDescriptorHandle(wakeRaw, isTerminal: false);
            return new PosixSerialDevice(path, Canonical(path) ?? path, fd, wake, caps);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    private static DeviceCapabilities Probe(int fd, Termios2 current)
    {
        var caps = DeviceCapabilities.None;
        var bits = 0;
        if (Ioctl(fd, TIOCMGET, ref bits) == 0)
        {
            caps |= DeviceCapabilities.ControlLines | DeviceCapabilities.ModemStatus;
        }

        // Clearing a break that is not on is harmless and tells whether the driver takes break requests.
        if (Ioctl(fd, TIOCCBRK, 0) == 0)
        {
            caps |= DeviceCapabilities.Break;
        }

        // Mark/space parity: drivers without it drop CMSPAR from what they accept. Try it, then restore.
        var probe = current;
        probe.c_cflag |= PARENB | CMSPAR;
        if (Ioctl(fd, TCSETS2, ref probe) == 0)
        {
            var back = default(Termios2);
            if (Ioctl(fd, TCGETS2, ref back) == 0 && (back.c_cflag & CMSPAR) != 0 && (back.c_cflag & PARENB) != 0)
            {
                caps |= DeviceCapabilities.MarkSpaceParity;
            }

            _ = Ioctl(fd, TCSETS2, ref current);
        }

        return caps;
    }

    private static void SetOrThrow(int fd, ref Termios2 t, string path)
    {
        if (Ioctl(fd, TCSETS2, ref t) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new DeviceFaultException(
                $"Cannot set line settings on '{path}': {ErrorText(errno)} (errno {errno}).", errno);
        }
    }

    /// <inheritdoc />
    public LineSettings Apply(LineSettings wanted)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(wanted.BaudRate, 0, nameof(wanted));
        if (wanted.DataBits is < 5 or > 8)
        {
            throw new ArgumentOutOfRangeException(nameof(wanted), wanted.DataBits, "Data bits must be 5..8.");
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_controlLock)
        {
            var added = false;
            try
            {
                _fd.DangerousAddRef(ref added);
                var fd = _fd.Fd;
                var t = default(Termios2);
                if (Ioctl(fd, TCGETS2, ref t) != 0)
                {
                    throw FaultFromErrno("reading line settings");
                }

                MakeRaw(ref t);
                t.c_cflag &= ~(CBAUD | CIBAUD | CSIZE | CSTOPB | PARENB | PARODD | CMSPAR | CRTSCTS);
                t.c_cflag |= CLOCAL | CREAD;
                SetSpeed(ref t, (uint)wanted.BaudRate);
                t.c_cflag |= wanted.DataBits switch { 5 => CS5, 6 => CS6, 7 => CS7, _ => CS8 };
                t.c_cflag |= wanted.Parity switch
                {
                    Parity.Odd => PARENB | PARODD,
                    Parity.Even => PARENB,
                    Parity.Mark => PARENB | CMSPAR | PARODD,
                    Parity.Space => PARENB | CMSPAR,
                    _ => 0u,
                };
                if (wanted.StopBits != StopBits.One)
                {
                    t.c_cflag |= CSTOPB; // POSIX has no 1.5: CSTOPB means 1.5 with 5 data bits on real UARTs
                }

                t.c_iflag &= ~(IXON | IXOFF | IXANY);
                switch (wanted.FlowControl)
                {
                    case FlowControl.XonXoff:
                        t.c_iflag |= IXON | IXOFF;
                        break;
                    case FlowControl.RtsCts:
                        t.c_cflag |= CRTSCTS;
                        break;
                }

                // EINVAL: the driver rejects these settings (a rate it cannot do). That is an answer, not a fault:
                // nothing changed, and reading back below reports what is still in effect.
                if (Ioctl(fd, TCSETS2, ref t) != 0 && Marshal.GetLastPInvokeError() != EINVAL)
                {
                    throw FaultFromErrno("setting line settings");
                }

                var back = default(Termios2);
                if (Ioctl(fd, TCGETS2, ref back) != 0)
                {
                    throw FaultFromErrno("reading back line settings");
                }

                return Decode(back);
            }
            catch (ObjectDisposedException)
            {
                throw new ObjectDisposedException(nameof(PosixSerialDevice));
            }
            finally
            {
                if (added)
                {
                    _fd.DangerousRelease();
                }
            }
        }
    }

    /// <summary>Translates kernel termios2 into line settings (used for the in-effect read-back).</summary>
    internal static LineSettings Decode(in Termios2 t)
    {
        var baud = t.c_ospeed != 0 ? (int)t.c_ospeed : BaudFromCode(t.c_cflag & CBAUD);
        var dataBits = (t.c_cflag & CSIZE) switch { CS5 => 5, CS6 => 6, CS7 => 7, _ => 8 };
        var parity = (t.c_cflag & PARENB) == 0
            ? Parity.None
            : (t.c_cflag & CMSPAR) != 0
                ? ((t.c_cflag & PARODD) != 0 ? Parity.Mark : Parity.Space)
                : ((t.c_cflag & PARODD) != 0 ? Parity.Odd : Parity.Even);
        var stop = (t.c_cflag & CSTOPB) != 0 ? StopBits.Two : StopBits.One;
        var flow = (t.c_cflag & CRTSCTS) != 0
            ? FlowControl.RtsCts
            : (t.c_iflag & (IXON | IXOFF)) != 0 ? FlowControl.XonXoff : FlowControl.None;
        return new LineSettings(baud, dataBits, parity, stop, flow);
    }
}
