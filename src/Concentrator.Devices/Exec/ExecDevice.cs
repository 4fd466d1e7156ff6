using Concentrator.Devices.Posix;

namespace Concentrator.Devices.Exec;

/// <summary>
/// An <c>exec:</c> device: a program run on a pty, its terminal being the port's line. Reads and writes go to the pty
/// master (a <see cref="PosixSerialDevice"/> on /dev/ptmx, so threading and disposal are that backend's); line settings
/// are the pty's termios. The program ending is the device going away: the next read fails with how it ended, and the
/// device link starts it again with backoff, as it reopens an unplugged adapter.
/// </summary>
/// <remarks>
/// We hold the slave open ourselves until the program has been reaped (a waiter thread blocks in waitpid), so the
/// master never reads a hangup before the program has opened its terminal, and always does once it is gone.
/// </remarks>
public sealed class ExecDevice : ISerialDevice
{
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(2);
    private const int TailSize = 256;
    private readonly PosixSerialDevice _master;
    private readonly int _pid;
    private readonly string _program;
    private readonly Lock _gate = new();
    private readonly byte[] _tail = new byte[TailSize]; // the last bytes the program printed, for the reason it ended
    private int _tailLength;
    private int _slave;
    private string? _ended;
    private int _disposed;

    private ExecDevice(string path, PosixSerialDevice master, int slave, int pid, string program)
    {
        Path = path;
        _master = master;
        _slave = slave;
        _pid = pid;
        _program = program;
        KernelNode = $"pid {pid}";
        var waiter = new Thread(WaitForExit, 128 * 1024) { IsBackground = true, Name = "wait " + pid };
        waiter.Start();
    }

    /// <inheritdoc />
    public string Path { get; }

    /// <inheritdoc />
    public string KernelNode { get; }

    /// <inheritdoc />
    public DeviceCapabilities Capabilities => DeviceCapabilities.None;

    /// <summary>The program's process id.</summary>
    public int ProcessId => _pid;

    /// <summary>Starts <paramref name="argv"/> on a new pty; <paramref name="path"/> is the configured device text.</summary>
    /// <exception cref="DeviceFaultException">No pty, or the program cannot be started.</exception>
    public static ExecDevice Start(string path, IReadOnlyList<string> argv)
    {
        ArgumentNullException.ThrowIfNull(argv);
        if (argv.Count == 0)
        {
            throw new ArgumentException("no program given", nameof(argv));
        }

        var master = PosixSerialDevice.Open("/dev/ptmx");
        var slave = -1;
        try
        {
            var slavePath = master.UnlockPtySlave();
            slave = PosixNative.Open(slavePath, PosixNative.O_RDWR | PosixNative.O_NOCTTY | PosixNative.O_CLOEXEC);
            if (slave < 0)
            {
                throw new DeviceFaultException($"cannot open the pty {slavePath}: {PosixNative.LastError()}");
            }

            var pid = ProgramOnPty.Spawn(argv, slavePath);
            return new ExecDevice(path, master, slave, pid, System.IO.Path.GetFileName(argv[0]));
        }
        catch
        {
            if (slave >= 0)
            {
                _ = PosixNative.Close(slave);
            }

            master.Dispose();
            throw;
        }
    }

    private void WaitForExit()
    {
        var how = ProgramOnPty.WaitForExit(_pid);
        lock (_gate)
        {
            _ended = $"program {_program} {how}";
            CloseSlave(); // the master reads what is left, then a hangup
        }
    }

    private void CloseSlave()
    {
        if (_slave >= 0)
        {
            _ = PosixNative.Close(_slave);
            _slave = -1;
        }
    }

    private DeviceFaultException Ended(DeviceFaultException e)
    {
        lock (_gate)
        {
            return _ended is { } how ? new DeviceFaultException(LastLine() is { } said ? $"{how}: {said}" : how, e) : e;
        }
    }

    // What the program said last (e.g. ipmitool's "Unable to establish IPMI v2 / RMCP+ session"): the port view shows it.
    private string? LastLine()
    {
        var text = System.Text.Encoding.UTF8.GetString(_tail, 0, _tailLength);
        var line = text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return string.IsNullOrEmpty(line) ? null : new string([.. line.Where(c => !char.IsControl(c))]);
    }

    private void Remember(ReadOnlySpan<byte> chunk)
    {
        lock (_gate)
        {
            if (chunk.Length >= TailSize)
            {
                chunk[^TailSize..].CopyTo(_tail);
                _tailLength = TailSize;
                return;
            }

            var keep = Math.Min(_tailLength, TailSize - chunk.Length);
            _tail.AsSpan(_tailLength - keep, keep).CopyTo(_tail);
            chunk.CopyTo(_tail.AsSpan(keep));
            _tailLength = keep + chunk.Length;
        }
    }

    /// <inheritdoc />
    public LineSettings Apply(LineSettings wanted) => _master.Apply(wanted);

    /// <inheritdoc />
    public int Read(Span<byte> buffer)
    {
        try
        {
            var n = _master.Read(buffer);
            Remember(buffer[..n]);
            return n;
        }
        catch (DeviceFaultException e)
        {
            throw Ended(e);
        }
    }

    /// <inheritdoc />
    public void Write(ReadOnlySpan<byte> data)
    {
        try
        {
            _master.Write(data);
        }
        catch (DeviceFaultException e)
        {
            throw Ended(e);
        }
    }

    /// <inheritdoc />
    public int TryWrite(ReadOnlySpan<byte> data) => _master.TryWrite(data);

    /// <inheritdoc />
    public bool SetBreak(bool on) => false;

    /// <inheritdoc />
    public bool SetDtr(bool on) => false;

    /// <inheritdoc />
    public bool SetRts(bool on) => false;

    /// <inheritdoc />
    public ModemStatus? ReadModemStatus() => null;

    /// <inheritdoc />
    public void Purge(PurgeTarget target) => _master.Purge(target);

    /// <summary>Closes the pty and ends the program: SIGHUP and SIGTERM to its process group, SIGKILL if it lingers.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _master.Dispose();
        bool running;
        lock (_gate)
        {
            running = _ended is null;
        }

        if (running)
        {
            _ = SpawnNative.Kill(-_pid, SpawnNative.SIGHUP);
            _ = SpawnNative.Kill(-_pid, SpawnNative.SIGTERM);
            _ = Task.Delay(KillGrace).ContinueWith(_ =>
            {
                lock (_gate)
                {
                    if (_ended is null)
                    {
                        SpawnNative.Kill(-_pid, SpawnNative.SIGKILL);
                    }
                }
            }, TaskScheduler.Default);
        }
    }
}
