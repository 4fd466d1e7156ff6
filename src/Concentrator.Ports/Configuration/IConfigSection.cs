using Akka.Configuration.Hocon;

namespace Concentrator.Ports.Configuration;

/// <summary>
/// A feature's own section of <c>concentrator { ... }</c> (<c>leases</c>, ...): the feature reads and validates it with
/// the shared <see cref="ConfigValues"/>, so its errors look like every other section's, and the settings it returns
/// travel in <see cref="ConcentratorSettings.Sections"/> under <see cref="Key"/>. The executable hands the loader the
/// sections of the features it runs; a reload reads them again the same way.
/// </summary>
public interface IConfigSection
{
    /// <summary>The key under <c>concentrator</c>.</summary>
    string Key { get; }

    /// <summary>
    /// The section's settings from <paramref name="value"/> (null when the section is absent); null when the section
    /// gives none (an absent optional feature, e.g. no cluster).
    /// </summary>
    object? Read(ConfigValues values, HoconValue? value);

    /// <summary>Checks against the rest of the config, once all of it is read (e.g. a TCP port a listener has taken).</summary>
    void Check(ConcentratorSettings settings, ConfigValues values)
    {
    }

    /// <summary>Whether these settings make the node serve no ports at all (a cluster's witness): then none is no mistake.</summary>
    bool ServesNoPorts(object? settings) => false;

    /// <summary>What is valid but probably not meant, as SecurityAudit says it for the sections Ports reads.</summary>
    IEnumerable<string> Warnings(ConcentratorSettings settings, DateTimeOffset at) => [];
}
