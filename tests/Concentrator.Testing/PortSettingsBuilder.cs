using System.Net;
using Concentrator.Devices;
using Concentrator.Ports.Configuration;

namespace Concentrator.Testing;

/// <summary>
/// The port and listener settings a test needs, with defaults that serve: override what the test is about with
/// arguments or a <c>with { ... }</c> on the record, e.g. <c>PortSettingsBuilder.Port() with { MaxSessions = 1 }</c>.
/// The one place tests build these records by hand (a config text goes through ConfigLoader instead).
/// </summary>
public static class PortSettingsBuilder
{
    /// <summary>
    /// A listener on loopback (a port the OS picks unless <paramref name="port"/> is given) speaking
    /// <paramref name="protocol"/>, read-write unless <paramref name="access"/> says otherwise, no replay, a 1 MiB
    /// output queue whose overflow disconnects the slow client.
    /// </summary>
    public static ListenerSettings Listener(ListenerProtocol protocol = ListenerProtocol.Raw, SessionAccess access = SessionAccess.ReadWrite,
        int port = 0) =>
        new(IPAddress.Loopback, port, protocol, access, Replay: false, OutputQueueBytes: 1 << 20, OverflowPolicy.Disconnect);

    /// <summary>
    /// Port <paramref name="name"/> on <paramref name="device"/> (sim:echo unless given) with the default line settings,
    /// served by <paramref name="listeners"/> (one raw <see cref="Listener"/> when none are given): no banner, no idle
    /// timeout, 16 sessions, writes shared, no scrollback or log, reopened after 50 to 200 ms.
    /// </summary>
    public static PortSettings Port(string name = "test", string device = "sim:echo", params ListenerSettings[] listeners) =>
        new(name, device, DeviceBackend.Auto, LineSettings.Default, listeners.Length > 0 ? listeners : [Listener()], Banner: null,
            IdleTimeout: TimeSpan.Zero, MaxSessions: 16, KickOld: false, WritePolicy.Shared, Scrollback: 0, Log: null,
            ReopenMinBackoff: TimeSpan.FromMilliseconds(50), ReopenMaxBackoff: TimeSpan.FromMilliseconds(200));
}
