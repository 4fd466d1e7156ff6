namespace Concentrator.Devices.Simulated;

/// <summary>
/// Common machinery of the simulated devices: one lock, a bounded receive queue that <see cref="Read"/> drains,
/// a null-modem style wiring of the control lines (DTR drives DSR and CD, RTS drives CTS) and prompt disposal.
/// Blocking waits use <see cref="Monitor"/> on the lock; nothing polls.
/// </summary>
public abstract class SimulatedDevice : ISerialDevice
{
    /// <summary>How many bytes may wait for <see cref="Read"/> before <see cref="Write"/> blocks.</summary>
    public const int ReceiveCapacity = 64 * 1024;

    private readonly ByteQueue _received = new();
    private bool _disposed;
    private bool _dtr = true;
    private bool _rts = true;
    private bool _break;
    private LineSettings _settings = LineSettings.Default;

    /// <summary>Creates the device with the given path (e.g. sim:echo) and clock.</summary>
    protected SimulatedDevice(string path, TimeProvider? time)
    {
        Path = path;
        Time = time ?? TimeProvider.System;
    }

    /// <summary>The lock guarding all state; subclasses use it for their own state too.</summary>
    protected object Gate { get; } = new();

    /// <summary>The clock.</summary>
    protected TimeProvider Time { get; }

    /// <inheritdoc />
    public string Path { get; }

    /// <inheritdoc />
    public string KernelNode => Path;

    /// <inheritdoc />
    public DeviceCapabilities Capabilities =>
        DeviceCapabilities.ControlLines | DeviceCapabilities.ModemStatus | DeviceCapabilities.Break |
        DeviceCapabilities.MarkSpaceParity;

    /// <summary>The last settings applied (all are accepted as is).</summary>
    public LineSettings Settings
    {
        get
        {
            lock (Gate)
            {
                return _settings;
            }
        }
    }

    /// <summary>Whether a break condition is on.</summary>
    public bool BreakOn
    {
        get
        {
            lock (Gate)
            {
                return _break;
            }
        }
    }

    /// <inheritdoc />
    public LineSettings Apply(LineSettings wanted)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        lock (Gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _settings = wanted;
            return wanted;
        }
    }

    /// <inheritdoc />
    public int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        lock (Gate)
        {
            while (true)
            {
                if (_disposed)
                {
                    return 0;
                }

                var due = Tick(Time.GetUtcNow());
                if (!due.IsEmpty)
                {
                    _received.Enqueue(due);
                }

                if (_received.Count > 0)
                {
                    var n = _received.Dequeue(buffer);
                    Monitor.PulseAll(Gate); // room for a blocked writer
                    return n;
                }

                var next = NextOutputAt;
                if (next is null)
                {
                    Monitor.Wait(Gate);
                }
                else
                {
                    var wait = next.Value - Time.GetUtcNow();
                    if (wait > TimeSpan.Zero)
                    {
                        Monitor.Wait(Gate, wait);
                    }
                }
            }
        }
    }

    /// <inheritdoc />
    public void Write(ReadOnlySpan<byte> data)
    {
        lock (Gate)
        {
            while (!data.IsEmpty)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                var room = ReceiveCapacity - _received.Count;
                if (room <= 0)
                {
                    Monitor.Wait(Gate);
                    continue;
                }

                var chunk = data[..Math.Min(room, data.Length)];
                var output = OnWrite(chunk, Time.GetUtcNow());
                if (!output.IsEmpty)
                {
                    _received.Enqueue(output);
                }

                data = data[chunk.Length..];
                Monitor.PulseAll(Gate);
            }
        }
    }

    /// <summary>Called under the lock with bytes the host wrote; returns bytes the device answers with.</summary>
    protected abstract ReadOnlySpan<byte> OnWrite(ReadOnlySpan<byte> data, DateTimeOffset now);

    /// <summary>Called under the lock: output that has become due by <paramref name="now"/> (paced output).</summary>
    protected virtual ReadOnlySpan<byte> Tick(DateTimeOffset now) => [];

    /// <summary>When the next paced output is due, or null when none is pending.</summary>
    protected virtual DateTimeOffset? NextOutputAt => null;

    /// <inheritdoc />
    public bool SetBreak(bool on)
    {
        lock (Gate)
        {
            _break = on;
            return true;
        }
    }

    /// <inheritdoc />
    public bool SetDtr(bool on)
    {
        lock (Gate)
        {
            _dtr = on;
            return true;
        }
    }

    /// <inheritdoc />
    public bool SetRts(bool on)
    {
        lock (Gate)
        {
            _rts = on;
            return true;
        }
    }

    /// <inheritdoc />
    public ModemStatus? ReadModemStatus()
    {
        lock (Gate)
        {
            var s = ModemStatus.None;
            if (_dtr)
            {
                s |= ModemStatus.DataSetReady | ModemStatus.CarrierDetect;
            }

            if (_rts)
            {
                s |= ModemStatus.ClearToSend;
            }

            return s;
        }
    }

    /// <inheritdoc />
    public void Purge(PurgeTarget target)
    {
        lock (Gate)
        {
            if (target.HasFlag(PurgeTarget.Receive))
            {
                _received.Clear();
                Monitor.PulseAll(Gate);
            }
        }
    }

    /// <summary>Wakes anything blocked in the state machine (e.g. new paced output was scheduled).</summary>
    protected void Wake() => Monitor.PulseAll(Gate);

    /// <summary>Makes a blocked Read return 0 and a blocked Write throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (Gate)
        {
            _disposed = true;
            Monitor.PulseAll(Gate);
        }

        GC.SuppressFinalize(this);
    }
}
