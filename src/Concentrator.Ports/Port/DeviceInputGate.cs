using Concentrator.Ports.DeviceLink;
using Concentrator.Ports.Metrics;

namespace Concentrator.Ports.Port;

/// <summary>
/// Client bytes straight from a session to the device, on the session's thread: the mirror of
/// <see cref="DeviceOutputHub"/>. Through the port and the device link a keystroke crossed two more mailboxes, each
/// a chance to wake another pool thread (measured: about half of a 130 µs round trip on a 2-core machine). The port
/// still decides who may write: it sets each session's <see cref="DirectInput"/> under this gate's lock before it
/// tells the session, so once a session lost the right (a write lock taken, a lease granted, the session gone) not
/// one more byte of it reaches the device this way. Nor does a byte overtake device work already sent: none goes
/// this way while a command the port sent the link (anyone's write, a baud change, a break) is on its way or queued
/// on the device's command thread. The link attaches the open device's pump and detaches it before closing it.
/// What cannot go at once (such work pending, the device offline or taking only part) the session sends through
/// the port as before.
/// </summary>
public sealed class DeviceInputGate
{
    private readonly PortMetrics _metrics;
    private readonly Lock _gate = new();
    private DevicePump? _pump;
    private long _bytes;
    private int _commandsOnTheWay; // sent by the port, not yet handled by the link

    internal DeviceInputGate(PortMetrics metrics) => _metrics = metrics;

    /// <summary>Bytes written this way (the port adds them to what it wrote for sessions).</summary>
    public long BytesWritten => Interlocked.Read(ref _bytes);

    /// <summary>The link: the open device, or null once it is closing. Waits for a write in progress, which never blocks.</summary>
    internal void Attach(DevicePump? pump)
    {
        lock (_gate)
        {
            _pump = pump;
        }
    }

    /// <summary>The port, before it tells the link an <see cref="IDeviceCommand"/>.</summary>
    internal void Sent() => Interlocked.Increment(ref _commandsOnTheWay);

    /// <summary>The link, once it handled one (never below zero: a new link starts from <see cref="Restart"/>).</summary>
    internal void Arrived()
    {
        int seen;
        do
        {
            seen = Volatile.Read(ref _commandsOnTheWay);
        }
        while (seen > 0 && Interlocked.CompareExchange(ref _commandsOnTheWay, seen - 1, seen) != seen);
    }

    /// <summary>The port starts a new link: what was on its way to the old one is gone with it.</summary>
    internal void Restart() => Volatile.Write(ref _commandsOnTheWay, 0);

    /// <summary>The port: whether <paramref name="input"/>'s session may write now (false until the port says so).</summary>
    internal void Allow(DirectInput input, bool allowed)
    {
        lock (_gate)
        {
            input.Allowed = allowed;
        }
    }

    /// <summary>Writes what the device takes without waiting, if the session may write; returns how many bytes that was.</summary>
    internal int TryWrite(DirectInput input, ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            if (!input.Allowed || _pump is not { } pump || Volatile.Read(ref _commandsOnTheWay) > 0)
            {
                return 0;
            }

            var written = pump.TryWriteNow(data);
            if (written > 0)
            {
                Interlocked.Add(ref _bytes, written);
                _metrics.Written(written);
            }

            return written;
        }
    }
}

/// <summary>A session's way to write to its port's device directly (see <see cref="DeviceInputGate"/>).</summary>
public sealed class DirectInput
{
    private readonly DeviceInputGate _gate;

    internal DirectInput(DeviceInputGate gate) => _gate = gate;

    /// <summary>Set by the port, under the gate's lock.</summary>
    internal bool Allowed { get; set; }

    /// <summary>
    /// Writes what the device takes at once; 0 when the session may not write now, the device is closed or busy.
    /// The caller sends the rest through the port, and uses this only while nothing it sent earlier is still on its way.
    /// </summary>
    public int TryWrite(ReadOnlySpan<byte> data) => _gate.TryWrite(this, data);
}
