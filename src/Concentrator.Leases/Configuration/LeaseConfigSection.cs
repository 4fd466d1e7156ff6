using Akka.Configuration.Hocon;
using Concentrator.Ports.Configuration;

namespace Concentrator.Leases.Configuration;

/// <summary>
/// <c>concentrator.leases { store, max-ttl, max-wait, max-waiters, retry-interval }</c>, read by the leases feature
/// itself with the shared <see cref="ConfigValues"/>; absent, the defaults (SQLite in the state directory).
/// </summary>
public sealed class LeaseConfigSection : IConfigSection
{
    public const string SectionKey = "leases";

    private static readonly string[] LeaseKeys = ["store", "max-ttl", "max-wait", "max-waiters", "retry-interval"];

    public static LeaseConfigSection Instance { get; } = new();

    public string Key => SectionKey;

    public object? Read(ConfigValues values, HoconValue? value)
    {
        ArgumentNullException.ThrowIfNull(values);
        return ReadLeases(values, value);
    }

    /// <summary>leases { store = "sqlite:leases.db" | "postgresql://...", max-ttl, max-wait, max-waiters, retry-interval }.</summary>
    private static LeaseSettings ReadLeases(ConfigValues values, HoconValue? value)
    {
        const string where = "concentrator.leases";
        var settings = LeaseSettings.Default();
        if (value is null)
        {
            return settings;
        }

        if (!value.IsObject())
        {
            values.Error(null, where, ConfigValues.Show(value), "must be an object { store = \"sqlite:leases.db\" }");
            return settings;
        }

        var o = value.GetObject();
        values.CheckKeys(o, LeaseKeys, null, where + ".");
        var store = settings.Store;
        if (o.Items.TryGetValue("store", out var storeValue))
        {
            store = ReadLeaseStore(values, where + ".store", ConfigValues.Show(storeValue)) ?? store;
        }

        var maxTtl = values.Duration(null, where + ".max-ttl", o.Items.GetValueOrDefault("max-ttl"), settings.MaxTtl);
        var maxWait = values.Duration(null, where + ".max-wait", o.Items.GetValueOrDefault("max-wait"), settings.MaxWait);
        var maxWaiters = values.Int(null, where + ".max-waiters", o.Items.GetValueOrDefault("max-waiters"), settings.MaxWaiters, 1, 100_000);
        var retry = values.Duration(null, where + ".retry-interval", o.Items.GetValueOrDefault("retry-interval"), settings.RetryInterval);
        if (maxTtl <= TimeSpan.Zero)
        {
            values.Error(null, where + ".max-ttl", ConfigValues.Show(o.Items["max-ttl"]), "must be longer than 0s");
        }

        if (retry <= TimeSpan.Zero)
        {
            values.Error(null, where + ".retry-interval", ConfigValues.Show(o.Items["retry-interval"]), "must be longer than 0s");
        }

        return new LeaseSettings(store, maxTtl, maxWait, maxWaiters, retry);
    }

    private static LeaseStoreLocation? ReadLeaseStore(ConfigValues values, string key, string text)
    {
        if (text.StartsWith("sqlite:", StringComparison.Ordinal))
        {
            var file = text["sqlite:".Length..];
            if (string.IsNullOrWhiteSpace(file))
            {
                values.Error(null, key, text, "expected sqlite:FILE, e.g. sqlite:leases.db (relative to the config file)");
                return null;
            }

            return new LeaseStoreLocation(LeaseStoreKind.Sqlite, values.FullPath(file));
        }

        if (text.StartsWith("postgresql:", StringComparison.Ordinal) || text.StartsWith("postgres:", StringComparison.Ordinal))
        {
            if (!PostgresUrl.TryParse(text, out _, out var problem))
            {
                values.Error(null, key, PostgresUrl.WithoutPassword(text), problem);
                return null;
            }

            return new LeaseStoreLocation(LeaseStoreKind.PostgreSql, text);
        }

        values.Error(null, key, PostgresUrl.WithoutPassword(text),
            "expected sqlite:FILE (e.g. sqlite:leases.db) or postgresql://user:pass@host:port/database");
        return null;
    }
}

/// <summary>The leases feature's settings out of the whole config.</summary>
public static class LeaseSettingsAccess
{
    /// <summary>What <c>concentrator.leases</c> says, or the defaults when the section was not read.</summary>
    public static LeaseSettings LeaseSettings(this ConcentratorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Section<LeaseSettings>(LeaseConfigSection.SectionKey) ?? Configuration.LeaseSettings.Default();
    }
}
