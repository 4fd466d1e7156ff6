using System.Text;
using Tmds.DBus.Protocol;

namespace Concentrator.Mdns;

/// <summary>
/// One avahi-daemon entry group over D-Bus (avahi's org.freedesktop.Avahi.Server / EntryGroup interfaces): the services
/// added to it are announced together and withdrawn together. Every call is asynchronous; none runs inside an actor.
/// </summary>
internal sealed class AvahiEntryGroup : IAsyncDisposable
{
    private const string Avahi = "org.freedesktop.Avahi";
    private const string GroupInterface = "org.freedesktop.Avahi.EntryGroup";

    /// <summary>AVAHI_ENTRY_GROUP_* states.</summary>
    public enum State { Uncommitted = 0, Registering = 1, Established = 2, Collision = 3, Failure = 4 }

    private readonly DBusConnection _bus;
    private readonly string _path;

    private AvahiEntryGroup(DBusConnection bus, string path, string hostName)
    {
        _bus = bus;
        _path = path;
        HostName = hostName;
    }

    /// <summary>avahi-daemon's host name (without .local), for the instance names.</summary>
    public string HostName { get; }

    /// <summary>Connects to the bus and makes a new entry group; throws when the bus or avahi-daemon is not there.</summary>
    public static async Task<AvahiEntryGroup> CreateAsync(string systemBus)
    {
        var bus = new DBusConnection(systemBus);
        try
        {
            await bus.ConnectAsync().ConfigureAwait(false);
            var host = await CallAsync(bus, "/", "org.freedesktop.Avahi.Server", "GetHostName", null,
                (Message m, object? _) => m.GetBodyReader().ReadString()).ConfigureAwait(false);
            var path = await CallAsync(bus, "/", "org.freedesktop.Avahi.Server", "EntryGroupNew", null,
                (Message m, object? _) => m.GetBodyReader().ReadObjectPath().ToString()).ConfigureAwait(false);
            return new AvahiEntryGroup(bus, path, host);
        }
        catch
        {
            bus.Dispose();
            throw;
        }
    }

    /// <summary>AddService(iiussssqaay): one service instance on one interface (-1: all), IPv4 and IPv6 (-1).</summary>
    public Task AddServiceAsync(int interfaceIndex, string name, string type, ushort port, IReadOnlyList<string> txt)
    {
        using var writer = _bus.GetMessageWriter();
        writer.WriteMethodCallHeader(Avahi, _path, GroupInterface, "AddService", "iiussssqaay");
        writer.WriteInt32(interfaceIndex);
        writer.WriteInt32(-1);
        writer.WriteUInt32(0);
        writer.WriteString(name);
        writer.WriteString(type);
        writer.WriteString(""); // the default domain (.local)
        writer.WriteString(""); // this host
        writer.WriteUInt16(port);
        var records = writer.WriteArrayStart(DBusType.Array);
        foreach (var record in txt)
        {
            writer.WriteArray(Encoding.UTF8.GetBytes(record));
        }

        writer.WriteArrayEnd(records);
        return _bus.CallMethodAsync(writer.CreateMessage());
    }

    public Task CommitAsync() => CallAsync("Commit");

    /// <summary>Withdraws every service of the group; it can be filled again.</summary>
    public Task ResetAsync() => CallAsync("Reset");

    /// <summary>The group's state; throws when avahi-daemon restarted (the group is gone with it) or the bus closed.</summary>
    public async Task<State> GetStateAsync() =>
        (State)await CallAsync(_bus, _path, GroupInterface, "GetState", null, (Message m, object? _) => m.GetBodyReader().ReadInt32()).ConfigureAwait(false);

    private Task CallAsync(string member)
    {
        using var writer = _bus.GetMessageWriter();
        writer.WriteMethodCallHeader(Avahi, _path, GroupInterface, member);
        return _bus.CallMethodAsync(writer.CreateMessage());
    }

    private static Task<T> CallAsync<T>(DBusConnection bus, string path, string @interface, string member, string? signature,
        MessageValueReader<T> reader)
    {
        using var writer = bus.GetMessageWriter();
        writer.WriteMethodCallHeader(Avahi, path, @interface, member, signature);
        return bus.CallMethodAsync(writer.CreateMessage(), reader);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await CallAsync("Free").ConfigureAwait(false); // withdraws the services at once, not when the bus notices
        }
        catch (DBusExceptionBase)
        {
            // avahi-daemon or the bus is gone already: so are the services.
        }

        _bus.Dispose();
    }
}
