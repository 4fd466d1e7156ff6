using Akka.Configuration.Hocon;

namespace Concentrator.Ports.Configuration;

/// <summary>The <c>leases</c> and <c>discovery</c> sections.</summary>
public static partial class ConfigLoader
{
    private sealed partial class Reader
    {
        /// <summary>leases { store = "sqlite:leases.db" | "postgresql://...", max-ttl, max-wait, max-waiters, retry-interval }.</summary>
        private LeaseSettings ReadLeases(HoconValue? value)
        {
            const string where = "concentrator.leases";
            var settings = LeaseSettings.Default();
            if (value is null)
            {
                return settings;
            }

            if (!value.IsObject())
            {
                Error(null, where, Show(value), "must be an object { store = \"sqlite:leases.db\" }");
                return settings;
            }

            var o = value.GetObject();
            CheckKeys(o, LeaseKeys, null, where + ".");
            var store = settings.Store;
            if (o.Items.TryGetValue("store", out var storeValue))
            {
                store = ReadLeaseStore(where + ".store", Show(storeValue)) ?? store;
            }

            var maxTtl = Duration(null, where + ".max-ttl", o.Items.GetValueOrDefault("max-ttl"), settings.MaxTtl);
            var maxWait = Duration(null, where + ".max-wait", o.Items.GetValueOrDefault("max-wait"), settings.MaxWait);
            var maxWaiters = Int(null, where + ".max-waiters", o.Items.GetValueOrDefault("max-waiters"), settings.MaxWaiters, 1, 100_000);
            var retry = Duration(null, where + ".retry-interval", o.Items.GetValueOrDefault("retry-interval"), settings.RetryInterval);
            if (maxTtl <= TimeSpan.Zero)
            {
                Error(null, where + ".max-ttl", Show(o.Items["max-ttl"]), "must be longer than 0s");
            }

            if (retry <= TimeSpan.Zero)
            {
                Error(null, where + ".retry-interval", Show(o.Items["retry-interval"]), "must be longer than 0s");
            }

            return new LeaseSettings(store, maxTtl, maxWait, maxWaiters, retry);
        }

        private LeaseStoreLocation? ReadLeaseStore(string key, string text)
        {
            if (text.StartsWith("sqlite:", StringComparison.Ordinal))
            {
                var file = text["sqlite:".Length..];
                if (string.IsNullOrWhiteSpace(file))
                {
                    Error(null, key, text, "expected sqlite:FILE, e.g. sqlite:leases.db (relative to the config file)");
                    return null;
                }

                return new LeaseStoreLocation(LeaseStoreKind.Sqlite,
                    FullPath(file));
            }

            if (text.StartsWith("postgresql:", StringComparison.Ordinal) || text.StartsWith("postgres:", StringComparison.Ordinal))
            {
                if (!PostgresUrl.TryParse(text, out _, out var problem))
                {
                    Error(null, key, PostgresUrl.WithoutPassword(text), problem);
                    return null;
                }

                return new LeaseStoreLocation(LeaseStoreKind.PostgreSql, text);
            }

            Error(null, key, PostgresUrl.WithoutPassword(text),
                "expected sqlite:FILE (e.g. sqlite:leases.db) or postgresql://user:pass@host:port/database");
            return null;
        }

        private DiscoverySettings? ReadDiscovery(HoconValue value, HoconObject? defaults)
        {
            const string where = "discovery";
            if (!value.IsObject())
            {
                Error(null, "concentrator.discovery", Show(value), "must be an object { match = \"/dev/serial/by-id/*\", base-port = 7000 }");
                return null;
            }

            var before = Errors.Count;
            var d = value.GetObject();
            CheckKeys(d, [.. DiscoveryKeys, .. ListenerKeys.Where(k => k != "port")], where, "");
            var match = d.Items.GetValueOrDefault("match")?.GetString();
            if (string.IsNullOrWhiteSpace(match))
            {
                Error(where, "match", null, "missing: a glob of device paths, e.g. /dev/serial/by-id/*");
                return null;
            }

            if (Path.GetDirectoryName(match) is not { Length: > 0 } dir || dir.Contains('*') || dir.Contains('?'))
            {
                Error(where, "match", match, "wildcards are allowed in the file name only, e.g. /dev/serial/by-id/usb-FTDI*");
            }

            var basePort = Int(where, "base-port", d.Items.GetValueOrDefault("base-port"), 7000, 1, 65535);
            var stateFile = d.Items.GetValueOrDefault("state-file")?.GetString() ?? "discovered-ports.json";
            var forgetAfter = Duration(where, "forget-after", d.Items.GetValueOrDefault("forget-after"), TimeSpan.FromHours(1));
            stateFile = FullPath(stateFile);
            var listener = ReadListener(where, d, "", basePort);
            var template = ReadPort(where, null, defaults, deviceOverride: match, listenersOverride: [listener]);
            if (template?.Log is { } log && !log.File.Contains(PortPlaceholder, StringComparison.Ordinal))
            {
                Error(where, "log.file", log.File, $"every discovered port needs its own log: put {PortPlaceholder} in the file name");
            }

            return Errors.Count != before || template is null ? null : new DiscoverySettings(match, basePort, stateFile, template, forgetAfter);
        }
    }
}
