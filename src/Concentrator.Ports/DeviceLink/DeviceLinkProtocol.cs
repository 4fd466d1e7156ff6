using Akka.Actor;
using Concentrator.Devices;

namespace Concentrator.Ports.DeviceLink;

// Messages between a port actor and its device link. The link owns the open device; the port owns the state.

/// <summary>Link -> port: before each open (first start, each retry, after a restart) the link asks what to open the device with.</summary>
public sealed record LinkReady;

/// <summary>Port -> link: open the device with the port's current line settings and control lines.</summary>
public sealed record OpenDevice(LineSettings Line, bool Dtr, bool Rts);

/// <summary>Link -> port: the device is open and these settings are in effect.</summary>
public sealed record DeviceOnline(string KernelNode, LineSettings InEffect, DeviceCapabilities Capabilities);

/// <summary>Link -> port: the device is gone or could not be opened; the link retries by itself (backoff, or at once on its path watch).</summary>
public sealed record DeviceOffline(string Reason);

/// <summary>
/// Device output, one immutable chunk, to a session actor that encodes or sends it itself (see SessionOutput). The
/// same instance goes to every session of the port (no per-session copy); nobody may mutate <see cref="Data"/>.
/// </summary>
public sealed record DeviceOutput(byte[] Data);

/// <summary>Port -> link: write client bytes; <see cref="WriteCompleted"/> goes to <paramref name="ReplyTo"/> when done.</summary>
public sealed record WriteToDevice(byte[] Data, IActorRef ReplyTo) : IDeviceCommand;

/// <summary>The bytes of one <see cref="WriteToDevice"/> left (or were discarded because the device is offline).</summary>
public sealed record WriteCompleted(int Bytes, bool Discarded);

/// <summary>
/// Port -> link: change line settings; the link answers <see cref="LineSettingsApplied"/> to the port, which
/// passes the result on to <paramref name="ReplyTo"/> (the session that asked).
/// </summary>
public sealed record ApplyLineSettings(LineSettings Wanted, IActorRef? ReplyTo) : IDeviceCommand;

/// <summary>Link -> port: the settings now in effect on the device.</summary>
public sealed record LineSettingsApplied(LineSettings InEffect, IActorRef? ReplyTo);

/// <summary>Link -> port: the device's modem status inputs changed (only for devices that can read them).</summary>
public sealed record DeviceModemStatus(ModemStatus Status);

/// <summary>
/// Port -> link: read the modem inputs (and report changes as <see cref="DeviceModemStatus"/>) while some session wants
/// them; stop when none does. On a USB adapter every read is a round trip to the device.
/// </summary>
public sealed record WatchModem(bool Watch);

/// <summary>Port -> link: drive a control output; the result is best effort (a pty has no DTR/RTS).</summary>
public sealed record SetControlLines(bool? Dtr, bool? Rts, bool? Break) : IDeviceCommand;

/// <summary>Port -> link: hold a break condition for a while (telnet IAC BRK, an escape command).</summary>
public sealed record SendBreak(TimeSpan Duration) : IDeviceCommand;

/// <summary>Port -> link: discard buffered data.</summary>
public sealed record PurgeDevice(PurgeTarget Target) : IDeviceCommand;

/// <summary>Port -> link: stop reading the device until told otherwise (a backpressure session is behind), or resume.</summary>
public sealed record PauseReading(bool Pause);

/// <summary>
/// Port -> link: work on the device in the order the port sent it (writes, line settings, control lines, break,
/// purge). The port counts each one on its way (<see cref="Port.DeviceInputGate"/>): a session writes directly only
/// while none is, so it never overtakes one.
/// </summary>
public interface IDeviceCommand;

/// <summary>
/// Session -> port: answered with <see cref="FenceCleared"/> once every device command the session sent before it
/// has left the port, so the session's next bytes may go to the device directly without overtaking them.
/// </summary>
public sealed class DeviceFence
{
    public static readonly DeviceFence Instance = new();

    private DeviceFence()
    {
    }
}

/// <summary>Port -> session: see <see cref="DeviceFence"/>.</summary>
public sealed class FenceCleared
{
    public static readonly FenceCleared Instance = new();

    private FenceCleared()
    {
    }
}
