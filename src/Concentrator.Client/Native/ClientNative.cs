using System.Runtime.InteropServices;

namespace Concentrator.Client.Native;

/// <summary>
/// The few libc calls the client needs on Linux (x86_64/arm64, generic termios2 layout): pseudo-terminal
/// allocation, termios2, poll, read/write on raw fds.
/// </summary>
internal static partial class ClientNative
{
    private const string Libc = "libc";

    public const int O_RDWR = 0x2, O_NOCTTY = 0x100, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    public const int EINTR = 4, EIO = 5, EAGAIN = 11;
    public const short POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20;
    public const uint TCGETS2 = 0x802C542A, TCSETS2 = 0x402C542B, TCSETSW2 = 0x402C542C;

    public const uint IGNBRK = 0x1, BRKINT = 0x2, PARMRK = 0x8, ISTRIP = 0x20, INLCR = 0x40, IGNCR = 0x80, ICRNL = 0x100,
        IUCLC = 0x200, IXON = 0x400, IXANY = 0x800, IXOFF = 0x1000, IMAXBEL = 0x2000;
    public const uint OPOST = 0x1;
    public const uint CBAUD = 0x100F, CSIZE = 0x30, CS5 = 0x00, CS6 = 0x10, CS7 = 0x20, CS8 = 0x30, CSTOPB = 0x40,
        CREAD = 0x80, PARENB = 0x100, PARODD = 0x200, CLOCAL = 0x800, BOTHER = 0x1000, CIBAUD = 0x100F0000,
        CMSPAR = 0x40000000, CRTSCTS = 0x80000000;
    public const uint ISIG = 0x1, ICANON = 0x2, ECHO = 0x8, ECHOE = 0x10, ECHOK = 0x20, ECHONL = 0x40, IEXTEN = 0x8000;
    public const int VTIME = 5, VMIN = 6;

    /// <summary>struct termios2 (asm-generic, 44 bytes).</summary>
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

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int fd;
        public short events;
        public short revents;
    }

    [LibraryImport(Libc, EntryPoint = "posix_openpt", SetLastError = true)]
    public static partial int PosixOpenpt(int flags);

    [LibraryImport(Libc, EntryPoint = "grantpt", SetLastError = true)]
    public static partial int Grantpt(int fd);

    [LibraryImport(Libc, EntryPoint = "unlockpt", SetLastError = true)]
    public static partial int Unlockpt(int fd);

    [LibraryImport(Libc, EntryPoint = "ptsname_r", SetLastError = true)]
    public static unsafe partial int PtsnameR(int fd, byte* buffer, nuint length);

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
    public static partial int Ioctl(int fd, nuint request, ref Termios2 arg);

    [LibraryImport(Libc, EntryPoint = "isatty")]
    public static partial int IsATty(int fd);

    [LibraryImport(Libc, EntryPoint = "strerror")]
    private static partial nint StrError(int errno);

    public static string ErrorText(int errno) => Marshal.PtrToStringUTF8(StrError(errno)) ?? $"errno {errno}";

    public static string LastError() => ErrorText(Marshal.GetLastPInvokeError());

    /// <summary>cfmakeraw semantics, VMIN=1 VTIME=0.</summary>
    public static unsafe void MakeRaw(ref Termios2 t)
    {
        t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXOFF | IXANY | IMAXBEL | IUCLC);
        t.c_oflag &= ~OPOST;
        t.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN | ECHOE | ECHOK);
        t.c_cflag &= ~(CSIZE | PARENB);
        t.c_cflag |= CS8 | CREAD;
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
    }

    private static readonly uint[] StandardRates =
    [
        0, 50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400,
        0, 57600, 115200, 230400, 460800, 500000, 576000, 921600, 1000000, 1152000, 1500000, 2000000, 2500000,
        3000000, 3500000, 4000000,
    ];

    /// <summary>
    /// Sets the baud rate in both directions: the classic Bnnn code when there is one (so programs using
    /// cfgetospeed see it), otherwise BOTHER with the exact rate.
    /// </summary>
    public static void SetSpeed(ref Termios2 t, uint baud)
    {
        var index = Array.IndexOf(StandardRates, baud, 1);
        var code = index < 0 ? BOTHER : index < 16 ? (uint)index : (uint)(0x1000 | (index - 16));
        t.c_cflag = (t.c_cflag & ~(CBAUD | CIBAUD)) | code | (code << 16);
        t.c_ispeed = baud;
        t.c_ospeed = baud;
    }

    public static void EnsureSupported()
    {
        if (!OperatingSystem.IsLinux()
            || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64))
        {
            throw new PlatformNotSupportedException(
                $"This command needs Linux on x86_64 or arm64 (termios2); this is {RuntimeInformation.OSDescription} on {RuntimeInformation.ProcessArchitecture}.");
        }
    }

    /// <summary>Polls one fd; returns revents (0 on timeout).</summary>
    public static unsafe short PollOne(int fd, short events, int timeoutMs)
    {
        var pfd = new PollFd { fd = fd, events = events };
        var r = Poll(&pfd, 1, timeoutMs);
        return r > 0 ? pfd.revents : (short)0;
    }
}
