using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Concentrator.Ports.Configuration;

/// <summary>
/// Reads and validates the <c>concentrator { ports { ... } }</c> HOCON tree into <see cref="ConcentratorSettings"/>.
/// Every problem is collected (not just the first) and names the file, the port, the key and the value, so a
/// typo is fixed in one round and nothing binds before the whole config is known to be good.
/// </summary>
public static partial class ConfigLoader
{
    private static readonly string[] PortKeys =
    [
        "device", "backend", "baud", "data-bits", "parity", "stop-bits", "flow-control", "listeners", "banner",
        "idle-timeout", "max-sessions", "kick-old", "write-policy", "scrollback", "log", "reopen", "escape", "notices", "tags", "acl", "power",
        "capture", "triggers", "recording",
    ];

    private static readonly string[] ListenerKeys =
        ["port", "bind", "protocol", "access", "replay", "output-queue", "overflow", "tls", "auth", "allow", "deny", "allow-plaintext-passwords"];

    /// <summary>Replaced by the port name in log file paths.</summary>
    public const string PortPlaceholder = "{port}";

    private static readonly string[] DiscoveryKeys = ["match", "base-port", "state-file", "forget-after"];

    /// <summary>The sections read here; the features' own (<see cref="IConfigSection"/>) come with each load.</summary>
    private static readonly string[] SectionKeys = ["ports", "defaults", "discovery", "security"];

    private static readonly string[] LogKeys = ["file", "timestamps", "max-size", "keep"];
    private static readonly string[] ReopenKeys = ["min-backoff", "max-backoff"];

    /// <summary>
    /// Loads a config file; <paramref name="sections"/> are the features' own sections to read (leases, the API, the
    /// cluster), any other is an unknown key.
    /// </summary>
    public static ConfigResult LoadFile(string path, IReadOnlyList<IConfigSection>? sections = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ConfigResult.Failed(new ConfigError(path, null, null, null, $"cannot read the file: {e.Message}"));
        }

        return Load(text, path, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", sections);
    }

    /// <summary>Parses and validates HOCON text; <paramref name="source"/> names it in messages.</summary>
    public static ConfigResult Load(string hocon, string source, string baseDirectory, IReadOnlyList<IConfigSection>? sections = null)
    {
        Config config;
        try
        {
            config = ConfigurationFactory.ParseString(HoconObjectShorthand.Normalize(hocon));
        }
        catch (Exception e)
        {
            return ConfigResult.Failed(new ConfigError(source, null, null, null, $"not valid HOCON: {e.Message}"));
        }

        var reader = new Reader(source, baseDirectory, sections ?? []);
        var settings = reader.Read(config);
        return reader.Errors.Count == 0 && settings is not null
            ? new ConfigResult(settings, config, [])
            : new ConfigResult(null, config, reader.Errors);
    }

    /// <summary>The whole file, section by section, with the shared <see cref="ConfigValues"/> readers.</summary>
    private sealed partial class Reader(string source, string baseDirectory, IReadOnlyList<IConfigSection> features)
        : ConfigValues(source, baseDirectory)
    {
        /// <summary>The features' checks against the whole config, once it is all read.</summary>
        private ConcentratorSettings Checked(ConcentratorSettings settings)
        {
            foreach (var feature in features)
            {
                feature.Check(settings, this);
            }

            return settings;
        }

        public ConcentratorSettings? Read(Config config)
        {
            var root = config.Root?.GetObject();
            if (root is null || !root.Items.TryGetValue("concentrator", out var top) || !top.IsObject())
            {
                Error(null, "concentrator", null, "missing the 'concentrator { ports { ... } }' section");
                return null;
            }

            foreach (var key in root.Items.Keys.Where(k => k is not ("concentrator" or "akka")))
            {
                Error(null, key, null, "unknown top-level key (expected 'concentrator', or 'akka' for actor system tuning)");
            }

            var section = top.GetObject();
            string[] known = [.. SectionKeys, .. features.Select(f => f.Key)];
            foreach (var key in section.Items.Keys.Where(k => !known.Contains(k)))
            {
                Error(null, "concentrator." + key, null, $"unknown key{Suggest(key, known)}");
            }

            var read = features.Select(f => (Feature: f, Settings: f.Read(this, section.Items.GetValueOrDefault(f.Key)))).ToList();
            var own = read.Where(r => r.Settings is not null).ToDictionary(r => r.Feature.Key, r => r.Settings!, StringComparer.Ordinal);
            var security = ReadSecurity(section.Items.GetValueOrDefault("security"));
            HoconObject? defaults = null;
            if (section.Items.TryGetValue("defaults", out var defaultsValue))
            {
                if (defaultsValue.IsObject())
                {
                    defaults = defaultsValue.GetObject();
                    CheckKeys(defaults, PortKeys.Where(k => k != "device").ToArray(), null, "concentrator.defaults.");
                }
                else
                {
                    Error(null, "concentrator.defaults", Show(defaultsValue), "must be an object of port keys");
                }
            }

            var discovery = section.Items.TryGetValue("discovery", out var discoveryValue) ? ReadDiscovery(discoveryValue, defaults) : null;
            var portItems = section.Items.TryGetValue("ports", out var portsValue) && portsValue.IsObject()
                ? portsValue.GetObject().Items
                : new Dictionary<string, HoconValue>();
            if (portItems.Count == 0 && discovery is null)
            {
                if (read.Any(r => r.Feature.ServesNoPorts(r.Settings)))
                {
                    // A cluster's witness serves no ports: it only votes.
                    return Checked(new ConcentratorSettings(Source, [], null) { Security = security, Sections = own });
                }

                if (!section.Items.ContainsKey("discovery"))
                {
                    Error(null, "concentrator.ports", null, "no ports configured (and no discovery { match = ... })");
                }

                return null;
            }

            var ports = new List<PortSettings>();
            foreach (var (name, value) in portItems)
            {
                if (!value.IsObject())
                {
                    Error(name, null, Show(value), "a port must be an object { device = ..., listeners = [...] }");
                    continue;
                }

                var port = ReadPort(name, value.GetObject(), defaults);
                if (port is not null)
                {
                    ports.Add(port);
                }
            }

            CheckDuplicateListeners(ports);
            CheckSharedDevices(ports);
            CheckSharedLogs(ports);
            CheckPasswordListeners(ports, discovery, security);
            return Checked(new ConcentratorSettings(Source, ports, discovery) { Security = security, Sections = own });
        }

    }
}

/// <summary>One configuration problem, located as precisely as we can.</summary>
public sealed record ConfigError(string File, string? Port, string? Key, string? Value, string Problem)
{
    public override string ToString()
    {
        var where = File;
        if (Port is not null)
        {
            where += $": port '{Port}'";
        }

        if (Key is not null)
        {
            where += $": key '{Key}'";
        }

        if (Value is not null)
        {
            where += $" = '{Value}'";
        }

        return $"{where}: {Problem}";
    }
}

/// <summary>The outcome of loading a config: settings when valid, otherwise every error found.</summary>
public sealed record ConfigResult(ConcentratorSettings? Settings, Config? Raw, IReadOnlyList<ConfigError> Errors)
{
    public static ConfigResult Failed(ConfigError error) => new(null, null, [error]);

    public bool IsValid => Settings is not null && Errors.Count == 0;
}
