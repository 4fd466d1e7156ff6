using Concentrator.Devices;
using Concentrator.Ports.Recording;
using Concentrator.Ports.Security;

namespace Concentrator.Ports.Configuration;

/// <summary>Whether every read-write session may write, or one at a time.</summary>
public enum WritePolicy { Shared, Exclusive }

/// <summary>The console log of a port.</summary>
public sealed record ConsoleLogSettings(string File, bool Timestamps, long MaxSize, int Keep);

/// <summary>One serial port as configured: its device, its line settings and how it is served.</summary>
public sealed record PortSettings(
    string Name,
    string Device,
    DeviceBackend Backend,
    LineSettings Line,
    IReadOnlyList<ListenerSettings> Listeners,
    string? Banner,
    TimeSpan IdleTimeout,
    int MaxSessions,
    bool KickOld,
    WritePolicy WritePolicy,
    long Scrollback,
    ConsoleLogSettings? Log,
    TimeSpan ReopenMinBackoff,
    TimeSpan ReopenMaxBackoff,
    string? Escape = "^Ec",
    bool Notices = false,
    IReadOnlyList<string>? Tags = null,
    AccessControlList? Acl = null,
    RecordingMode Recording = RecordingMode.Off)
{
    /// <summary>Power control bound to the port (<c>power { on = [...] ... }</c> or <c>power.ipmi { ... }</c>), or null.</summary>
    public Power.PowerSettings? Power { get; init; }

    /// <summary>The bytes of recent output every port keeps for expect and the output stream (port key <c>capture</c>).</summary>
    public long Capture { get; init; } = Automation.OutputCapture.DefaultCapacity;

    /// <summary>Actions on console output (port key <c>triggers</c>).</summary>
    public IReadOnlyList<Automation.TriggerSettings> Triggers { get; init; } = [];

    /// <summary>The port's tags (a scheduler matches ports by them); empty when none are configured.</summary>
    public IReadOnlyList<string> TagList => Tags ?? [];

    /// <summary>Whether two settings serve the same port the same way (lists compared by content, not by reference).</summary>
    public bool SameAs(PortSettings other) => Name == other.Name && PortSettingsDiff.Keys(this, other).Count == 0;
}

/// <summary>Everything the daemon serves, validated; read from HOCON by <see cref="ConfigLoader"/>.</summary>
/// <param name="Source">The config file (or the embedded default), for messages.</param>
/// <param name="Ports">The configured ports.</param>
/// <param name="Discovery">Rack mode, if configured.</param>
public sealed record ConcentratorSettings(string Source, IReadOnlyList<PortSettings> Ports, DiscoverySettings? Discovery = null)
{
    /// <summary>
    /// The settings of the features' own sections (<see cref="IConfigSection"/>), by section key: each feature reads
    /// its own back with a typed accessor of its own (e.g. <c>settings.LeaseSettings()</c>).
    /// </summary>
    public IReadOnlyDictionary<string, object> Sections { get; init; } = new Dictionary<string, object>();

    /// <summary>The settings a feature's section gave, or null when that feature's section was not read.</summary>
    public T? Section<T>(string key) where T : class => Sections.GetValueOrDefault(key) as T;

    /// <summary>The security section (<c>concentrator.security</c>), if the config has one.</summary>
    public SecuritySettings? Security { get; init; }

    /// <summary>The security section, or its defaults when the config has none.</summary>
    public SecuritySettings SecurityOrDefault => Security ?? SecuritySettings.Default;

}

/// <summary>
/// Rack mode: every device matching <see cref="Match"/> becomes a port, on a TCP port from <see cref="BasePort"/>
/// that stays the same for the same device path (kept in <see cref="StateFile"/>). <see cref="Template"/> holds the
/// port keys (from concentrator.defaults) and the listener (its TCP port is replaced per device). An adapter gone
/// for <see cref="ForgetAfter"/> stops being listed (zero: never); its TCP port stays reserved for its return.
/// </summary>
public sealed record DiscoverySettings(string Match, int BasePort, string StateFile, PortSettings Template, TimeSpan ForgetAfter);
