using System.Runtime.InteropServices;
using static Concentrator.Devices.Posix.PosixNative;

namespace Concentrator.Devices.Posix;

/// <summary>
/// A serial device opened with open(2) and configured through Linux termios2 (any baud rate). The fd stays
/// non-blocking; <see cref="Read"/> and <see cref="Write"/> wait in poll(2) on the fd plus an eventfd that
/// <see cref="Dispose"/> signals, so disposal from another thread unblocks them promptly.
/// </summary>
public sealed class PosixSerialDevice : ISerialDevice
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

    /// <inheritdoc />
    public unsafe int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty || _disposed)
        {
            return 0;
        }

        if (!TryAddRefs())
        {
            return 0;
        }

        try
        {
            var fd = _fd.Fd;
            var fds = stackalloc PollFd[2];
            short lastRevents = 0;
            while (true)
            {
                if (_disposed)
                {
                    return 0;
                }

                nint n;
                fixed (byte* p = buffer)
                {
                    n = PosixNative.Read(fd, p, (nuint)buffer.Length);
                }

                if (n > 0)
                {
                    return (int)n;
                }

                if (n == 0)
                {
                    // A tty in raw mode never reports end of file; 0 means it was hung up (unplugged, pty closed).
                    throw new DeviceFaultException($"Serial device '{Path}' hung up.", EIO);
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                {
                    continue;
                }

                if (errno != EAGAIN)
                {
                    if (_disposed)
                    {
                        return 0;
                    }

                    throw Fault(errno, "read");
                }

                if ((lastRevents & (POLLHUP | POLLERR)) != 0)
                {
                    throw new DeviceFaultException(
                        $"Serial device '{Path}' reported {((lastRevents & POLLHUP) != 0 ? "hangup" : "an error")}.",
                        EIO);
                }

                if (!Wait(fds, fd, POLLIN, out lastRevents))
                {
                    return 0;
                }
            }
        }
        finally
        {
            ReleaseRefs();
        }
    }

    /// <inheritdoc />
    public unsafe void Write(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (data.IsEmpty)
        {
            return;
        }

        if (!TryAddRefs())
        {
            throw new ObjectDisposedException(nameof(PosixSerialDevice));
        }

        try
        {
            var fd = _fd.Fd;
            var fds = stackalloc PollFd[2];
            while (!data.IsEmpty)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                nint n;
                fixed (byte* p = data)
                {
                    n = PosixNative.Write(fd, p, (nuint)data.Length);
                }

                if (n > 0)
                {
                    data = data[(int)n..];
                    continue;
                }

                var errno = n == 0 ? EAGAIN : Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                {
                    continue;
                }

                if (errno != EAGAIN)
                {
                    ObjectDisposedException.ThrowIf(_disposed, this);
                    throw Fault(errno, "write");
                }

                // Output buffer full: wait for room (or for Dispose) without spinning.
                if (!Wait(fds, fd, POLLOUT, out var revents))
                {
                    throw new ObjectDisposedException(nameof(PosixSerialDevice));
                }

                if ((revents & POLLNVAL) != 0)
                {
                    throw Fault(EBADF, "write");
                }
            }
        }
        finally
        {
            ReleaseRefs();
        }
    }

    /// <inheritdoc />
    public unsafe int TryWrite(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty || _disposed || !TryAddRefs())
        {
            return 0;
        }

        try
        {
            while (true)
            {
                nint n;
                fixed (byte* p = data)
                {
                    n = PosixNative.Write(_fd.Fd, p, (nuint)data.Length);
                }

                if (n >= 0)
                {
                    return (int)n;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                {
                    continue;
                }

                if (errno == EAGAIN || _disposed)
                {
                    return 0; // full (or closing): the blocking Write on the data plane's worker takes it from here
                }

                throw Fault(errno, "write");
            }
        }
        finally
        {
            ReleaseRefs();
        }
    }

    /// <summary>Polls the fd for <paramref name="events"/> plus the wake-up eventfd. False when woken by Dispose.</summary>
    private unsafe bool Wait(PollFd* fds, int fd, short events, out short revents)
    {
        while (true)
        {
            fds[0] = new PollFd { fd = fd, events = events };
            fds[1] = new PollFd { fd = _wake.Fd, events = POLLIN };
            var r = Poll(fds, 2, -1);
            if (r < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                {
                    continue;
                }

                throw Fault(errno, "poll");
            }

            revents = fds[0].revents;
            if (fds[1].revents != 0 || _disposed)
            {
                return false;
            }

            if ((revents & POLLNVAL) != 0)
            {
                throw Fault(EBADF, "poll");
            }

            return true;
        }
    }

    /// <inheritdoc />
    public bool SetBreak(bool on) => ControlIoctl(on ? TIOCSBRK : TIOCCBRK, 0);

    /// <inheritdoc />
    public bool SetDtr(bool on) => ModemBits(on, TIOCM_DTR);

    /// <inheritdoc />
    public bool SetRts(bool on) => ModemBits(on, TIOCM_RTS);

    private bool ModemBits(bool on, int bit)
    {
        var value = bit;
        return WithFd(fd => Check(Ioctl(fd, on ? TIOCMBIS : TIOCMBIC, ref value) == 0, "set modem lines"), false);
    }

    private bool ControlIoctl(uint request, nint arg) =>
        WithFd(fd => Check(Ioctl(fd, request, arg) == 0, "break"), false);

    /// <inheritdoc />
    public ModemStatus? ReadModemStatus() => WithFd<ModemStatus?>(fd =>
    {
        var bits = 0;
        if (!Check(Ioctl(fd, TIOCMGET, ref bits) == 0, "read modem status"))
        {
            return null;
        }

        var s = ModemStatus.None;
        if ((bits & TIOCM_CTS) != 0) s |= ModemStatus.ClearToSend;
        if ((bits & TIOCM_DSR) != 0) s |= ModemStatus.DataSetReady;
        if ((bits & TIOCM_RNG) != 0) s |= ModemStatus.RingIndicator;
        if ((bits & TIOCM_CAR) != 0) s |= ModemStatus.CarrierDetect;
        return s;
    }, null);

    /// <inheritdoc />
    public void Purge(PurgeTarget target)
    {
        var queue = target switch
        {
            PurgeTarget.Receive => TCIFLUSH,
            PurgeTarget.Transmit => TCOFLUSH,
            _ => TCIOFLUSH,
        };
        _ = WithFd(fd => Check(TcFlush(fd, queue) == 0, "purge"), false);
    }

    /// <summary>
    /// True when the call succeeded; false for "not supported" (ENOTTY/EINVAL and anything else benign);
    /// throws <see cref="DeviceFaultException"/> when the device is gone.
    /// </summary>
    private bool Check(bool ok, string what)
    {
        if (ok)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno is EIO or ENXIO or ENODEV && !_disposed)
        {
            throw Fault(errno, what);
        }

        return false;
    }

    private T WithFd<T>(Func<int, T> action, T whenDisposed)
    {
        if (_disposed)
        {
            return whenDisposed;
        }

        lock (_controlLock)
        {
            var added = false;
            try
            {
                _fd.DangerousAddRef(ref added);
                return action(_fd.Fd);
            }
            catch (ObjectDisposedException)
            {
                return whenDisposed;
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

    private bool TryAddRefs()
    {
        var fdAdded = false;
        var wakeAdded = false;
        try
        {
            _fd.DangerousAddRef(ref fdAdded);
            _wake.DangerousAddRef(ref wakeAdded);
            return true;
        }
        catch (ObjectDisposedException)
        {
            if (fdAdded)
            {
                _fd.DangerousRelease();
            }

            if (wakeAdded)
            {
                _wake.DangerousRelease();
            }

            return false;
        }
    }

    private void ReleaseRefs()
    {
        _fd.DangerousRelease();
        _wake.DangerousRelease();
    }

    private DeviceFaultException Fault(int errno, string operation) =>
        new($"Serial device '{Path}' failed on {operation}: {ErrorText(errno)} (errno {errno}).", errno);

    private DeviceFaultException FaultFromErrno(string operation) =>
        Fault(Marshal.GetLastPInvokeError(), operation);

    /// <summary>Wakes a blocked Read (returns 0) and Write (throws), then closes the fd once both have left.</summary>
    public unsafe void Dispose()
    {
        if (Interlocked.Exchange(ref _disposeStarted, 1) != 0)
        {
            return;
        }

        _disposed = true;
        var added = false;
        try
        {
            _wake.DangerousAddRef(ref added);
            ulong one = 1;
            _ = PosixNative.Write(_wake.Fd, (byte*)&one, sizeof(ulong));
        }
        finally
        {
            if (added)
            {
                _wake.DangerousRelease();
            }
        }

        // Closing is deferred by the handles until the reader and writer have released their references.
        _fd.Dispose();
        _wake.Dispose();
    }
}
