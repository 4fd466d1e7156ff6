using System.Runtime.InteropServices;
using System.Text;
using Concentrator.Devices;
using Concentrator.Devices.Posix;
using static Concentrator.Devices.Posix.PosixNative;

namespace Concentrator.Testing;

/// <summary>
/// A virtual serial device on a real Linux pseudo-terminal: "the machine" at the far end of a serial cable.
/// The code under test opens <see cref="LinkPath"/> (a symlink to the pty slave, like /dev/serial/by-id/...);
/// the test plays the machine through the master side with <see cref="Write"/> and the read helpers.
/// </summary>
/// <remarks>
/// The fixture keeps its own slave fd open (it never reads from it). That keeps the master usable while the code
/// under test closes and reopens the slave (Linux makes master reads fail with EIO while no slave fd is open) and
/// keeps the slave's termios between opens. <see cref="Unplug"/> closes the master: the kernel hangs up every
/// slave fd, so the code under test sees a hangup/EIO just like an unplugged USB adapter.
/// Reads are serialized among themselves; writes may run concurrently with reads.
/// </remarks>
public sealed class VirtualSerialDevice : IDisposable
{
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(30);
    private const uint Fionread = 0x541B; // Linux: bytes waiting in a tty's input queue
    private readonly Lock _stateLock = new();
    private readonly Lock _readLock = new();
    private readonly Lock _writeLock = new();
    private Pty? _pty;
    private bool _disposed;

    private VirtualSerialDevice(string linkPath, Pty pty)
    {
        LinkPath = linkPath;
        _pty = pty;
    }

    private static readonly Lazy<bool> ForcesCs8 = new(ProbeForcedCs8);

    /// <summary>
    /// True when this kernel's pty driver forces CS8 and no parity on the slave (Linux 6.x does: it clears
    /// CSIZE and PARENB in every set_termios), so data bits and parity a backend applies cannot be observed
    /// through a pty. Baud rate, stop bits and flow control are kept as set.
    /// </summary>
    public static bool PtyForcesEightBitsNoParity => ForcesCs8.Value;

    /// <summary>The symlink the code under test opens.</summary>
    public string LinkPath { get; }

    /// <summary>The current /dev/pts/N slave (changes on <see cref="Replug"/>).</summary>
    public string SlavePath => CurrentPty().SlavePath;

    /// <summary>Whether the device is currently plugged in.</summary>
    public bool IsPlugged
    {
        get
        {
            lock (_stateLock)
            {
                return _pty is not null;
            }
        }
    }

    /// <summary>
    /// Creates a pty, puts the slave in raw mode and points <paramref name="linkPath"/> at it (replacing an
    /// existing link; missing parent directories are created).
    /// </summary>
    public static VirtualSerialDevice Create(string linkPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(linkPath);
        EnsureSupported();
        var pty = Pty.Allocate();
        try
        {
            PointLink(linkPath, pty.SlavePath);
        }
        catch
        {
            pty.Dispose();
            throw;
        }

        return new VirtualSerialDevice(linkPath, pty);
    }

    /// <summary>Creates a device with a unique link path under the temp directory.</summary>
    public static VirtualSerialDevice CreateTemp(string prefix = "vserial") =>
        Create(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}"));

    /// <summary>The machine prints: writes all bytes to the master (waits while the pty buffer is full, up to 30 s).</summary>
    public unsafe void Write(ReadOnlySpan<byte> data)
    {
        lock (_writeLock)
        {
            var pty = CurrentPty();
            var deadline = DateTime.UtcNow + WriteTimeout;
            using var use = pty.Use();
            while (!data.IsEmpty)
            {
                nint n;
                fixed (byte* p = data)
                {
                    n = PosixNative.Write(use.Fd, p, (nuint)data.Length);
                }

                if (n > 0)
                {
                    data = data[(int)n..];
                    continue;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                {
                    continue;
                }

                if (errno != EAGAIN)
                {
                    throw new IOException($"pty master write failed: {ErrorText(errno)} (errno {errno})");
                }

                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"The virtual device could not write {data.Length} bytes within {WriteTimeout}: nobody reads the slave.");
                }

                _ = PollOne(use.Fd, POLLOUT, TimeSpan.FromMilliseconds(Math.Min(100, left.TotalMilliseconds)));
                pty.ThrowIfClosed();
            }
        }
    }

    /// <summary>Writes text as UTF-8.</summary>
    public void Write(string text) => Write(Encoding.UTF8.GetBytes(text));

    /// <summary>Reads exactly <paramref name="count"/> bytes the code under test sent; <see cref="TimeoutException"/> otherwise.</summary>
    public byte[] ReadExactly(int count, TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var result = new byte[count];
        var got = 0;
        var deadline = DateTime.UtcNow + timeout;
        lock (_readLock)
        {
            var pty = CurrentPty();
            using var use = pty.Use();
            while (got < count)
            {
                var n = ReadSome(pty, use.Fd, result.AsSpan(got), deadline - DateTime.UtcNow);
                if (n == 0)
                {
                    throw new TimeoutException(
                        $"Expected {count} bytes within {timeout}, got {got}: '{Printable(result.AsSpan(0, got))}'");
                }

                got += n;
            }
        }

        return result;
    }

    /// <summary>
    /// Waits up to <paramref name="wait"/> for the first byte, then keeps collecting until the line has been quiet
    /// for 50 ms. Returns an empty array when nothing arrived.
    /// </summary>
    public byte[] ReadAvailable(TimeSpan wait)
    {
        var collected = new List<byte>();
        var buffer = new byte[8192];
        lock (_readLock)
        {
            var pty = CurrentPty();
            using var use = pty.Use();
            var n = ReadSome(pty, use.Fd, buffer, wait);
            while (n > 0)
            {
                collected.AddRange(buffer.AsSpan(0, n));
                n = ReadSome(pty, use.Fd, buffer, TimeSpan.FromMilliseconds(50));
            }
        }

        return [.. collected];
    }

    /// <summary>Reads text (UTF-8) until it contains <paramref name="expected"/>; returns everything read.</summary>
    public string ReadUntil(string expected, TimeSpan timeout)
    {
        var text = new StringBuilder();
        var buffer = new byte[8192];
        var deadline = DateTime.UtcNow + timeout;
        lock (_readLock)
        {
            var pty = CurrentPty();
            using var use = pty.Use();
            while (!text.ToString().Contains(expected, StringComparison.Ordinal))
            {
                var n = ReadSome(pty, use.Fd, buffer, deadline - DateTime.UtcNow);
                if (n == 0)
                {
                    throw new TimeoutException($"Expected '{expected}' within {timeout}, got '{text}'");
                }

                text.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }
        }

        return text.ToString();
    }

    /// <summary><see cref="ReadExactly"/> on a dedicated thread, so it never blocks other test I/O or the thread pool.</summary>
    public Task<byte[]> ReadExactlyAsync(int count, TimeSpan timeout) =>
        Task.Factory.StartNew(
            () => ReadExactly(count, timeout),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

    /// <summary>
    /// Bytes the machine wrote that wait in the slave's input queue, not yet read by the code under test (FIONREAD
    /// on the fixture's own slave fd: every slave fd shares the one queue). The kernel moves written bytes into that
    /// queue shortly after <see cref="Write"/> returns, so wait for a count to be reached rather than for 0.
    /// </summary>
    public int PendingInput => CurrentPty().PendingInput();

    /// <summary>The slave's termios as the kernel holds it (read through the master, which shares it on Linux).</summary>
    public TermiosSnapshot GetTermios()
    {
        var pty = CurrentPty();
        using var use = pty.Use();
        var t = default(Termios2);
        if (Ioctl(use.Fd, TCGETS2, ref t) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"TCGETS2 on the pty master failed: {ErrorText(errno)}");
        }

        var c = t.c_cflag;
        var dataBits = (c & CSIZE) switch { CS5 => 5, CS6 => 6, CS7 => 7, _ => 8 };
        var parity = (c & PARENB) == 0 ? Parity.None
            : (c & CMSPAR) != 0 ? ((c & PARODD) != 0 ? Parity.Mark : Parity.Space)
            : (c & PARODD) != 0 ? Parity.Odd : Parity.Even;
        var flow = (c & CRTSCTS) != 0 ? FlowControl.RtsCts
            : (t.c_iflag & (IXON | IXOFF)) != 0 ? FlowControl.XonXoff : FlowControl.None;
        var raw = (t.c_lflag & (ICANON | ECHO | ISIG | IEXTEN)) == 0
            && (t.c_oflag & OPOST) == 0
            && (t.c_iflag & (ICRNL | INLCR | IGNCR | ISTRIP)) == 0;
        return new TermiosSnapshot((int)t.c_ospeed, dataBits, parity,
            (c & CSTOPB) != 0 ? StopBits.Two : StopBits.One, flow, raw,
            t.c_iflag, t.c_oflag, t.c_cflag, t.c_lflag);
    }

    /// <summary>
    /// Unplugs the cable: closes the master (every open slave fd is hung up: reads see EOF/EIO, poll sees POLLHUP)
    /// and removes the link, so opening <see cref="LinkPath"/> fails with ENOENT until <see cref="Replug"/>.
    /// </summary>
    public void Unplug()
    {
        Pty? old;
        lock (_stateLock)
        {
            old = _pty;
            _pty = null;
        }

        if (old is not null)
        {
            RemoveLinkIfPointsTo(LinkPath, old.SlavePath);
            old.Dispose();
        }
    }

    /// <summary>Plugs a device in again: a new pty, raw, behind the same <see cref="LinkPath"/>. Unplugs first if needed.</summary>
    public void Replug()
    {
        Unplug();
        var pty = Pty.Allocate();
        lock (_stateLock)
        {
            if (_disposed)
            {
                pty.Dispose();
                throw new ObjectDisposedException(nameof(VirtualSerialDevice));
            }

            _pty = pty;
        }

        PointLink(LinkPath, pty.SlavePath);
    }

    /// <summary>Unplugs and removes the link.</summary>
    public void Dispose()
    {
        lock (_stateLock)
        {
            _disposed = true;
        }

        Unplug();
    }

    private static bool ProbeForcedCs8()
    {
        using var pty = Pty.Allocate();
        using var use = pty.Use();
        var t = default(Termios2);
        if (Ioctl(use.Fd, TCGETS2, ref t) != 0)
        {
            return false;
        }

        t.c_cflag = (t.c_cflag & ~CSIZE) | CS7 | PARENB;
        _ = Ioctl(use.Fd, TCSETS2, ref t);
        var back = default(Termios2);
        _ = Ioctl(use.Fd, TCGETS2, ref back);
        return (back.c_cflag & CSIZE) == CS8 && (back.c_cflag & PARENB) == 0;
    }

    private Pty CurrentPty()
    {
        lock (_stateLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _pty ?? throw new InvalidOperationException($"The virtual device behind '{LinkPath}' is unplugged.");
        }
    }

    /// <summary>Reads what is available, waiting up to <paramref name="wait"/>; 0 on timeout.</summary>
    private static unsafe int ReadSome(Pty pty, int fd, Span<byte> buffer, TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            nint n;
            fixed (byte* p = buffer)
            {
                n = PosixNative.Read(fd, p, (nuint)buffer.Length);
            }

            if (n > 0)
            {
                return (int)n;
            }

            var errno = n == 0 ? EAGAIN : Marshal.GetLastPInvokeError();
            if (errno == EINTR)
            {
                continue;
            }

            // EIO: no slave open right now (cannot happen while the fixture holds one, but be lenient).
            if (errno is not (EAGAIN or EIO))
            {
                throw new IOException($"pty master read failed: {ErrorText(errno)} (errno {errno})");
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return 0;
            }

            var revents = PollOne(fd, POLLIN, TimeSpan.FromMilliseconds(Math.Min(100, left.TotalMilliseconds)));
            pty.ThrowIfClosed();
            if ((revents & (POLLHUP | POLLERR)) != 0 && (revents & POLLIN) == 0)
            {
                Thread.Sleep(10); // no slave open: wait instead of spinning on POLLHUP
            }
        }
    }

    private static unsafe short PollOne(int fd, short events, TimeSpan timeout)
    {
        var pfd = new PollFd { fd = fd, events = events };
        var r = Poll(&pfd, 1, Math.Max(1, (int)Math.Ceiling(timeout.TotalMilliseconds)));
        return r > 0 ? pfd.revents : (short)0;
    }

    private static void PointLink(string linkPath, string target)
    {
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(linkPath));
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        // Like udev: a hidden temporary name ('.#' + name), so a glob over the directory never sees a half-made link.
        var temp = System.IO.Path.Combine(dir ?? "", $".#{System.IO.Path.GetFileName(linkPath)}{Guid.NewGuid():N}");
        File.CreateSymbolicLink(temp, target);
        File.Move(temp, linkPath, overwrite: true); // rename(2): atomic replacement of an existing link
    }

    private static void RemoveLinkIfPointsTo(string linkPath, string target)
    {
        try
        {
            var info = new FileInfo(linkPath);
            if (info.LinkTarget == target)
            {
                info.Delete();
            }
        }
        catch (IOException)
        {
        }
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder();
        foreach (var b in bytes[..Math.Min(bytes.Length, 200)])
        {
            _ = b is >= 0x20 and < 0x7f ? sb.Append((char)b) : sb.Append($"\\x{b:x2}");
        }

        return sb.ToString();
    }

    /// <summary>One pseudo-terminal: the master (ours) and a slave fd held open by the fixture.</summary>
    private sealed class Pty : IDisposable
    {
        private readonly FileDescriptorHandle _master;
        private readonly FileDescriptorHandle _slave;
        private volatile bool _closed;

        private Pty(FileDescriptorHandle master, FileDescriptorHandle slave, string slavePath)
        {
            _master = master;
            _slave = slave;
            SlavePath = slavePath;
        }

        public string SlavePath { get; }

        public static unsafe Pty Allocate()
        {
            var m = PosixNative.PosixOpenpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
            if (m < 0)
            {
                throw new IOException($"posix_openpt failed: {ErrorText(Marshal.GetLastPInvokeError())}");
            }

            var master = new FileDescriptorHandle(m, isTerminal: false);
            try
            {
                var name = stackalloc byte[256];
                if (PosixNative.Grantpt(m) != 0 || PosixNative.Unlockpt(m) != 0 || PosixNative.PtsnameR(m, name, 256) != 0)
                {
                    throw new IOException($"pty setup failed: {ErrorText(Marshal.GetLastPInvokeError())}");
                }

                var slavePath = Marshal.PtrToStringUTF8((nint)name)!;
                var s = Open(slavePath, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
                if (s < 0)
                {
                    throw new IOException($"open {slavePath} failed: {ErrorText(Marshal.GetLastPInvokeError())}");
                }

                var slave = new FileDescriptorHandle(s, isTerminal: false);
                var t = default(Termios2);
                if (Ioctl(s, TCGETS2, ref t) != 0)
                {
                    slave.Dispose();
                    throw new IOException($"TCGETS2 on {slavePath} failed: {ErrorText(Marshal.GetLastPInvokeError())}");
                }

                MakeRaw(ref t);
                if (Ioctl(s, TCSETS2, ref t) != 0)
                {
                    slave.Dispose();
                    throw new IOException($"TCSETS2 on {slavePath} failed: {ErrorText(Marshal.GetLastPInvokeError())}");
                }

                return new Pty(master, slave, slavePath);
            }
            catch
            {
                master.Dispose();
                throw;
            }
        }

        public Lease Use() => new(_master);

        public int PendingInput()
        {
            using var use = new Lease(_slave);
            var count = 0;
            if (Ioctl(use.Fd, Fionread, ref count) != 0)
            {
                throw new IOException($"FIONREAD on {SlavePath} failed: {ErrorText(Marshal.GetLastPInvokeError())}");
            }

            return count;
        }

        public void ThrowIfClosed()
        {
            if (_closed)
            {
                throw new InvalidOperationException("The virtual device was unplugged during the operation.");
            }
        }

        public void Dispose()
        {
            _closed = true;
            _master.Dispose();
            _slave.Dispose();
        }
    }

    /// <summary>Holds a reference on the master so it is not closed under a running read or write.</summary>
    private readonly struct Lease : IDisposable
    {
        private readonly FileDescriptorHandle _handle;

        public Lease(FileDescriptorHandle handle)
        {
            var added = false;
            try
            {
                handle.DangerousAddRef(ref added);
            }
            catch (ObjectDisposedException)
            {
                throw new InvalidOperationException("The virtual device is unplugged.");
            }

            _handle = handle;
            Fd = handle.Fd;
        }

        public int Fd { get; }

        public void Dispose() => _handle.DangerousRelease();
    }
}
