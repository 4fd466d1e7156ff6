using System.Runtime.InteropServices;
using static Concentrator.Devices.Posix.PosixNative;

namespace Concentrator.Devices.Posix;

/// <summary>Reading and writing: non-blocking fd, poll(2) on it and the wake-up eventfd, so Dispose unblocks both.</summary>
public sealed partial class PosixSerialDevice
{
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
}
