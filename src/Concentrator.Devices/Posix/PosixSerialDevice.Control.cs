using System.Runtime.InteropServices;
using static Concentrator.Devices.Posix.PosixNative;

namespace Concentrator.Devices.Posix;

/// <summary>Break, modem lines, purge, and the fd's life: reference counts so a close never pulls the fd from under a call.</summary>
public sealed partial class PosixSerialDevice
{
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
        if ((bits & TIOCM_CTS) != 0)
        {
            s |= ModemStatus.ClearToSend;
        }

        if ((bits & TIOCM_DSR) != 0)
        {
            s |= ModemStatus.DataSetReady;
        }

        if ((bits & TIOCM_RNG) != 0)
        {
            s |= ModemStatus.RingIndicator;
        }

        if ((bits & TIOCM_CAR) != 0)
        {
            s |= ModemStatus.CarrierDetect;
        }

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
