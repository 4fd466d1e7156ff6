using Akka.Actor;
using Concentrator.Devices;

namespace Concentrator.Ports.DeviceLink;

// Messages between a port actor and its device link. The link owns the open device; the port owns the state.

/// <summary>Link -> port: before each open (first start, each retry, after a restart) the link asks what to open the device with.</summary>
public sealed record LinkReady;

/// <summary>Port -> link: open the device with the port's current line settings and control lines.</summary>
public sealed record OpenDevice(LineSettings Line, bool Dtr, bool Rts);

/// <summary>
/// Link -> port: the device is open and these settings are in effect; the port hands <paramref name="Device"/> to its
/// data plane (the link keeps reading it and closes it).
/// </summary>
public sealed record DeviceOnline(string KernelNode, LineSettings InEffect, DeviceCapabilities Capabilities, ISerialDevice Device);

/// <summary>Port's data plane -> link: writing to <paramref name="Device"/> failed (an unplug seen by a write).</summary>
public sealed record DeviceWriteFailed(ISerialDevice Device, Exception Error);

/// <summary>Link -> port: the device is gone or could not be opened; the link retries by itself (backoff, or at once on its path watch).</summary>
public sealed record DeviceOffline(string Reason);

/// <summary>
/// Device output, one immutable chunk, to a session actor that encodes or sends it itself (see SessionOutput). The
/// same instance goes to every session of the port (no per-session copy); nobody may mutate <see cref="Data"/>.
/// </summary>
public sealed record DeviceOutput(byte[] Data);

/// <summary>Port -> itself, from its data plane: the settings now in effect on the device, for the session that asked.</summary>
public sealed record LineSettingsApplied(LineSettings InEffect, IActorRef? ReplyTo);

/// <summary>Link -> port: the device's modem status inputs changed (only for devices that can read them).</summary>
public sealed record DeviceModemStatus(ModemStatus Status);

/// <summary>
/// Port -> link: read the modem inputs (and report changes as <see cref="DeviceModemStatus"/>) while some session wants
/// them; stop when none does. On a USB adapter every read is a round trip to the device.
/// </summary>
public sealed record WatchModem(bool Watch);

/// <summary>Port -> link: stop reading the device until told otherwise (a backpressure session is behind), or resume.</summary>
public sealed record PauseReading(bool Pause);
