using System.Runtime.InteropServices;

namespace Concentrator.Devices.Posix;

/// <summary>
/// libc entry points and Linux constants used by the posix backend (and by the test fixture).
/// The values are the asm-generic / x86_64 ones, shared by Linux x86_64 and arm64.
/// </summary>
internal static partial class PosixNative
{
    private const string Libc = "libc";

    // open(2) flags (asm-generic).
    public const int O_RDWR = 0x2;
    public const int O_NOCTTY = 0x100;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;

    // errno values.
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int ENXIO = 6;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int EBUSY = 16;
    public const int ENODEV = 19;
    public const int EINVAL = 22;
    public const int ENOTTY = 25;

    // poll(2).
    public const short POLLIN = 0x1;
    public const short POLLOUT = 0x4;
    public const short POLLERR = 0x8;
    public const short POLLHUP = 0x10;
    public const short POLLNVAL = 0x20;

    // eventfd(2).
    public const int EFD_NONBLOCK = 0x800;
    public const int EFD_CLOEXEC = 0x80000;

    // ioctl requests (asm-generic/ioctls.h).
    public const uint TCGETS2 = 0x802C542A;
    public const uint TCSETS2 = 0x402C542B;
    public const uint TCSETSW2 = 0x402C542C;
    public const uint TIOCEXCL = 0x540C;
    public const uint TIOCNXCL = 0x540D;
    public const uint TIOCMGET = 0x5415;
    public const uint TIOCMBIS = 0x5416;
    public const uint TIOCMBIC = 0x5417;
    public const uint TIOCSBRK = 0x5427;
    public const uint TIOCCBRK = 0x5428;

    // Modem lines.
    public const int TIOCM_DTR = 0x002;
    public const int TIOCM_RTS = 0x004;
    public const int TIOCM_CTS = 0x020;
    public const int TIOCM_CAR = 0x040;
    public const int TIOCM_RNG = 0x080;
    public const int TIOCM_DSR = 0x100;

    // tcflush queues.
    public const int TCIFLUSH = 0;
    public const int TCOFLUSH = 1;
    public const int TCIOFLUSH = 2;

    // c_iflag.
    public const uint IGNBRK = 0x1, BRKINT = 0x2, IGNPAR = 0x4, PARMRK = 0x8, INPCK = 0x10, ISTRIP = 0x20,
        INLCR = 0x40, IGNCR = 0x80, ICRNL = 0x100, IUCLC = 0x200, IXON = 0x400, IXANY = 0x800, IXOFF = 0x1000,
        IMAXBEL = 0x2000;

    // c_oflag.
    public const uint OPOST = 0x1;

    // c_cflag.
    public const uint CBAUD = 0x100F, CSIZE = 0x30, CS5 = 0x00, CS6 = 0x10, CS7 = 0x20, CS8 = 0x30, CSTOPB = 0x40,
        CREAD = 0x80, PARENB = 0x100, PARODD = 0x200, HUPCL = 0x400, CLOCAL = 0x800, BOTHER = 0x1000,
        CIBAUD = 0x100F0000, CMSPAR = 0x40000000, CRTSCTS = 0x80000000;

    /// <summary>Shift from the output baud field to the input baud field (CIBAUD).</summary>
    public const int IBSHIFT = 16;

    // c_lflag.
    public const uint ISIG = 0x1, ICANON = 0x2, ECHO = 0x8, ECHOE = 0x10, ECHOK = 0x20, ECHONL = 0x40,
        IEXTEN = 0x8000;

    // c_cc indices.
    public const int VTIME = 5;
    public const int VMIN = 6;

    /// <summary>Throws when the running platform does not use the generic Linux termios2 layout.</summary>
    public static void EnsureSupported()
    {
        if (!OperatingSystem.IsLinux()
            || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64))
        {
            throw new PlatformNotSupportedException(
                "The posix serial backend supports Linux on x86_64 and arm64 only (generic termios2 layout); " +
                $"this is {RuntimeInformation.OSDescription} on {RuntimeInformation.ProcessArchitecture}. " +
                "Use the system-io-ports backend instead.");
        }
    }

    /// <summary>The kernel's struct termios2 (asm-generic layout, 44 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct Termios2
    {
        public uint c_iflag;
        public uint c_oflag;
        public uint c_cflag;
        public uint c_lflag;
        public byte c_line;
        public fixed byte c_cc[19];
        public uint c_ispeed;
        public uint c_ospeed;
    }

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int fd;
        public short events;
        public short revents;
    }

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Libc, EntryPoint = "read", SetLastError = true)]
    public static unsafe partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport(Libc, EntryPoint = "write", SetLastError = true)]
    public static unsafe partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport(Libc, EntryPoint = "poll", SetLastError = true)]
    public static unsafe partial int Poll(PollFd* fds, nuint nfds, int timeoutMs);

    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, nint arg);

    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, ref int arg);

    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, ref Termios2 arg);

    [LibraryImport(Libc, EntryPoint = "tcflush", SetLastError = true)]
    public static partial int TcFlush(int fd, int queue);

    [LibraryImport(Libc, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initval, int flags);

    [LibraryImport(Libc, EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint RealPath(string path, nint resolved);

    [LibraryImport(Libc, EntryPoint = "free")]
    public static partial void Free(nint ptr);

    [LibraryImport(Libc, EntryPoint = "posix_openpt", SetLastError = true)]
    public static partial int PosixOpenpt(int flags);

    [LibraryImport(Libc, EntryPoint = "grantpt", SetLastError = true)]
    public static partial int Grantpt(int fd);

    [LibraryImport(Libc, EntryPoint = "unlockpt", SetLastError = true)]
    public static partial int Unlockpt(int fd);

    [LibraryImport(Libc, EntryPoint = "ptsname_r", SetLastError = true)]
    public static unsafe partial int PtsnameR(int fd, byte* buffer, nuint length);

    [LibraryImport(Libc, EntryPoint = "isatty")]
    public static partial int IsATty(int fd);

    [LibraryImport(Libc, EntryPoint = "strerror")]
    private static partial nint StrError(int errno);

    /// <summary>The message for the errno of the last P/Invoke call.</summary>
    public static string LastError() => ErrorText(Marshal.GetLastPInvokeError());

    /// <summary>Polls one fd; returns revents (0 on timeout).</summary>
    public static unsafe short PollOne(int fd, short events, int timeoutMs)
    {
        var pfd = new PollFd { fd = fd, events = events };
        var r = Poll(&pfd, 1, timeoutMs);
        return r > 0 ? pfd.revents : (short)0;
    }

    private static readonly uint[] StandardRates =
    [
        0, 50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400,
        0, 57600, 115200, 230400, 460800, 500000, 576000, 921600, 1000000, 1152000, 1500000, 2000000, 2500000,
        3000000, 3500000, 4000000,
    ];

    /// <summary>
    /// Sets the baud rate both ways: the classic Bnnn code when the rate has one (so programs reading the old
    /// termios — stty, cfgetospeed, python's termios — see it), otherwise BOTHER with the exact rate.
    /// </summary>
    public static void SetSpeed(ref Termios2 t, uint baud)
    {
        var index = Array.IndexOf(StandardRates, baud, 1);
        var code = index < 0 ? BOTHER : index < 16 ? (uint)index : (uint)(0x1000 | (index - 16));
        t.c_cflag = (t.c_cflag & ~(CBAUD | CIBAUD)) | code | (code << IBSHIFT);
        t.c_ispeed = baud;
        t.c_ospeed = baud;
    }

    /// <summary>The rate a classic Bnnn code stands for (0 when it is not one).</summary>
    public static int BaudFromCode(uint code)
    {
        var index = code < 16 ? (int)code : (code & ~0xFu) == 0x1000 && (code & 0xF) != 0 ? 16 + (int)(code & 0xF) : 0;
        return (int)StandardRates[index];
    }

    /// <summary>The message for an errno, e.g. "No such file or directory".</summary>
    public static string ErrorText(int errno) =>
        Marshal.PtrToStringUTF8(StrError(errno)) ?? $"errno {errno}";

    /// <summary>The canonical path (symlinks resolved), or null when it cannot be resolved.</summary>
    public static string? Canonical(string path)
    {
        var p = RealPath(path, 0);
        if (p == 0)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(p);
        }
        finally
        {
            Free(p);
        }
    }

    /// <summary>Puts a termios2 into raw mode (cfmakeraw semantics) with VMIN=1, VTIME=0, CLOCAL|CREAD.</summary>
    public static unsafe void MakeRaw(ref Termios2 t)
    {
        t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXOFF | IXANY | IMAXBEL | IUCLC);
        t.c_oflag &= ~OPOST;
        t.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN | ECHOE | ECHOK);
        t.c_cflag &= ~(CSIZE | PARENB);
        t.c_cflag |= CS8 | CLOCAL | CREAD;
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
    }
}
