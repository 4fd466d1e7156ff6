using System.Runtime.InteropServices;

namespace Concentrator.Devices.Posix;

/// <summary>
/// A reference-counted file descriptor: the fd is closed exactly once, after the last in-flight call that
/// holds a reference (<see cref="SafeHandle.DangerousAddRef"/>) has released it.
/// </summary>
internal sealed class FileDescriptorHandle : SafeHandle
{
    private readonly bool _isTerminal;

    public FileDescriptorHandle(int fd, bool isTerminal)
        : base(new IntPtr(-1), ownsHandle: true)
    {
        _isTerminal = isTerminal;
        SetHandle(new IntPtr(fd));
    }

    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The raw descriptor; only valid while a reference is held.</summary>
    public int Fd => (int)handle.ToInt64();

    protected override bool ReleaseHandle()
    {
        var fd = Fd;
        if (_isTerminal)
        {
            // Drop unsent output so close(2) cannot wait up to 30 s for a stalled line (closing_wait),
            // and release exclusive mode so the next open of the node is not refused with EBUSY.
            _ = PosixNative.TcFlush(fd, PosixNative.TCOFLUSH);
            _ = PosixNative.Ioctl(fd, PosixNative.TIOCNXCL, 0);
        }

        return PosixNative.Close(fd) == 0;
    }
}
