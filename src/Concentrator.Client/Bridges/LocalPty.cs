using System.Runtime.InteropServices;
using Concentrator.Devices;
using Concentrator.Devices.Posix;
using static Concentrator.Devices.Posix.PosixNative;

namespace Concentrator.Client.Bridges;

/// <summary>
/// A local pseudo-terminal for programs to open as if it were a serial port: we hold the master and one slave
/// fd (so the master never sees EIO/hangup while the program closes and reopens the port, and the termios the
/// program set stays), and a symlink points at the slave.
/// </summary>
/// <remarks>
/// Termios calls on the master act on the slave (Linux), so <see cref="GetLine"/> sees what the program set.
/// Linux 6.x forces CS8 without parity on a pty, so only baud rate, stop bits and flow control changes can be
/// seen. A break the program sends (tcsendbreak/TIOCSBRK) is not visible: the pty driver has no break
/// operation, the call succeeds and nothing reaches the master, not even in packet mode.
/// </remarks>
internal sealed class LocalPty : IDisposable
{
    private readonly int _master;
    private readonly int _slave;
    private string? _link;
    private bool _disposed;

    private LocalPty(int master, int slave, string slavePath)
    {
        _master = master;
        _slave = slave;
        SlavePath = slavePath;
    }

    public string SlavePath { get; }

    public int MasterFd => _master;

    public static unsafe LocalPty Open()
    {
        EnsureSupported();
        var m = PosixOpenpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (m < 0)
        {
            throw new IOException($"posix_openpt failed: {LastError()}");
        }

        var name = stackalloc byte[256];
        if (Grantpt(m) != 0 || Unlockpt(m) != 0 || PtsnameR(m, name, 256) != 0)
        {
            var error = LastError();
            _ = Close(m);
            throw new IOException($"pty setup failed: {error}");
        }

        var slavePath = Marshal.PtrToStringUTF8((nint)name)!;
        var s = PosixNative.Open(slavePath, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (s < 0)
        {
            var error = LastError();
            _ = Close(m);
            throw new IOException($"open {slavePath} failed: {error}");
        }

        var pty = new LocalPty(m, s, slavePath);
        var t = pty.GetTermios();
        MakeRaw(ref t);
        t.c_cflag |= CLOCAL;
        pty.SetTermios(t);
        return pty;
    }

    /// <summary>Points <paramref name="path"/> at the slave (atomically; replaces a stale symlink, never a real file).</summary>
    public void Link(string path)
    {
        var info = new FileInfo(path);
        if (info.Exists && info.LinkTarget is null)
        {
            throw new IOException($"{path} exists and is not a symlink; refusing to replace it");
        }

        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        var temp = $"{path}.{Environment.ProcessId}.tmp";
        File.Delete(temp);
        File.CreateSymbolicLink(temp, SlavePath);
        File.Move(temp, path, overwrite: true);
        _link = path;
    }

    public Termios2 GetTermios()
    {
        var t = default(Termios2);
        if (Ioctl(_master, TCGETS2, ref t) != 0)
        {
            throw new IOException($"TCGETS2 on the pty failed: {LastError()}");
        }

        return t;
    }

    public void SetTermios(Termios2 t)
    {
        if (Ioctl(_master, TCSETS2, ref t) != 0)
        {
            throw new IOException($"TCSETS2 on the pty failed: {LastError()}");
        }
    }

    /// <summary>The line settings the program on the slave set.</summary>
    public LineSettings GetLine() => Decode(GetTermios());

    /// <summary>Sets the slave's baud rate (as if the program had).</summary>
    public void SetBaud(int baud)
    {
        var t = GetTermios();
        SetSpeed(ref t, (uint)baud);
        SetTermios(t);
    }

    public static LineSettings Decode(Termios2 t)
    {
        var c = t.c_cflag;
        var dataBits = (c & CSIZE) switch { CS5 => 5, CS6 => 6, CS7 => 7, _ => 8 };
        var parity = (c & PARENB) == 0 ? Parity.None
            : (c & CMSPAR) != 0 ? ((c & PARODD) != 0 ? Parity.Mark : Parity.Space)
            : (c & PARODD) != 0 ? Parity.Odd : Parity.Even;
        var flow = (c & CRTSCTS) != 0 ? FlowControl.RtsCts
            : (t.c_iflag & (IXON | IXOFF)) != 0 ? FlowControl.XonXoff : FlowControl.None;
        return new LineSettings((int)t.c_ospeed, dataBits, parity, (c & CSTOPB) != 0 ? StopBits.Two : StopBits.One, flow);
    }

    /// <summary>Reads what the program wrote; waits up to <paramref name="timeoutMs"/>; 0 when nothing.</summary>
    public unsafe int Read(Span<byte> buffer, int timeoutMs)
    {
        if ((PollOne(_master, POLLIN, timeoutMs) & POLLIN) == 0)
        {
            return 0;
        }

        fixed (byte* p = buffer)
        {
            var n = PosixNative.Read(_master, p, (nuint)buffer.Length);
            return n > 0 ? (int)n : 0;
        }
    }

    /// <summary>Writes all bytes for the program to read, waiting while the pty buffer is full.</summary>
    public unsafe void Write(ReadOnlySpan<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty && !cancellationToken.IsCancellationRequested)
        {
            nint n;
            fixed (byte* p = data)
            {
                n = PosixNative.Write(_master, p, (nuint)data.Length);
            }

            if (n > 0)
            {
                data = data[(int)n..];
                continue;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (n < 0 && errno is not (EAGAIN or EINTR))
            {
                throw new IOException($"pty write failed: {ErrorText(errno)}");
            }

            _ = PollOne(_master, POLLOUT, 100);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_link is not null)
        {
            try
            {
                var info = new FileInfo(_link);
                if (info.LinkTarget == SlavePath)
                {
                    info.Delete();
                }
            }
            catch (IOException)
            {
            }
        }

        _ = Close(_slave);
        _ = Close(_master);
    }
}
