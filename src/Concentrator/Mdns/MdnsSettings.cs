namespace Concentrator.Mdns;

/// <summary><c>concentrator.mdns</c>: whether the ports' listeners are announced through the host's avahi-daemon.</summary>
/// <param name="SystemBus">The D-Bus system bus avahi-daemon is on (DBUS_SYSTEM_BUS_ADDRESS, or the standard socket).</param>
/// <param name="Interval">How often the announcements are compared with the ports (and avahi-daemon's restarts noticed).</param>
public sealed record MdnsSettings(string SystemBus, TimeSpan Interval)
{
    public const string StandardSystemBus = "unix:path=/var/run/dbus/system_bus_socket";
}
