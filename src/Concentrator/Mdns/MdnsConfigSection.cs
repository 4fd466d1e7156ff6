using Akka.Configuration.Hocon;
using Concentrator.Ports.Configuration;

namespace Concentrator.Mdns;

/// <summary>
/// <c>concentrator.mdns = on | off</c> (default off), or <c>mdns { enabled = on, interval = 5s }</c>, read by the mDNS
/// feature itself; absent or off, nothing of it runs.
/// </summary>
public sealed class MdnsConfigSection : IConfigSection
{
    public const string SectionKey = "mdns";

    public static MdnsConfigSection Instance { get; } = new();

    public string Key => SectionKey;

    public object? Read(ConfigValues values, HoconValue? value)
    {
        ArgumentNullException.ThrowIfNull(values);
        const string where = "concentrator.mdns";
        if (value is null)
        {
            return null;
        }

        var interval = TimeSpan.FromSeconds(5);
        bool enabled;
        if (value.IsObject())
        {
            var o = value.GetObject();
            values.CheckKeys(o, ["enabled", "interval"], null, where + ".");
            enabled = values.Bool(null, where + ".enabled", o.Items.GetValueOrDefault("enabled"), true);
            interval = values.Duration(null, where + ".interval", o.Items.GetValueOrDefault("interval"), interval);
            if (interval < TimeSpan.FromSeconds(1))
            {
                values.Error(null, where + ".interval", ConfigValues.Show(o.Items["interval"]), "must be 1s or longer");
            }
        }
        else
        {
            enabled = values.Bool(null, where, value, false);
        }

        var bus = Environment.GetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS") is { Length: > 0 } address ? address : MdnsSettings.StandardSystemBus;
        return enabled ? new MdnsSettings(bus, interval) : null;
    }
}

/// <summary>The mDNS settings of a loaded config.</summary>
public static class MdnsSettingsAccess
{
    /// <summary>Null when announcements are off.</summary>
    public static MdnsSettings? MdnsSettings(this ConcentratorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Sections.GetValueOrDefault(MdnsConfigSection.SectionKey) as MdnsSettings;
    }
}
