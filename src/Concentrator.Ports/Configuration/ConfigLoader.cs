using System.Globalization;
using System.Net;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using Concentrator.Devices;

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
        "idle-timeout", "max-sessions", "kick-old", "write-policy", "scrollback", "log", "reopen", "escape", "notices", "tags", "acl",
    ];

    private static readonly string[] ListenerKeys =
        ["port", "bind", "protocol", "access", "replay", "output-queue", "overflow", "tls", "auth", "allow", "deny", "allow-plaintext-passwords"];

    /// <summary>Replaced by the port name in log file paths.</summary>
    public const string PortPlaceholder = "{port}";

    private static readonly string[] DiscoveryKeys = ["match", "base-port", "state-file", "forget-after"];

    private static readonly string[] LeaseKeys = ["store", "max-ttl", "max-wait", "max-waiters", "retry-interval"];

    private static readonly string[] SectionKeys = ["ports", "defaults", "discovery", "leases", "api", "security", "cluster"];

    private static readonly string[] LogKeys = ["file", "timestamps", "max-size", "keep"];
    private static readonly string[] ReopenKeys = ["min-backoff", "max-backoff"];

    /// <summary>Loads a config file; <paramref name="witness"/> (serve --witness) makes this node a witness of its cluster.</summary>
    public static ConfigResult LoadFile(string path, bool witness = false)
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

        return Load(text, path, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", witness);
    }

    /// <summary>Parses and validates HOCON text; <paramref name="source"/> names it in messages.</summary>
    public static ConfigResult Load(string hocon, string source, string baseDirectory, bool witness = false)
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

        var reader = new Reader(source, baseDirectory, witness);
        var settings = reader.Read(config);
        return reader.Errors.Count == 0 && settings is not null
            ? new ConfigResult(settings, config, [])
            : new ConfigResult(null, config, reader.Errors);
    }

    private sealed partial class Reader(string source, string baseDirectory, bool witness)
    {
        public List<ConfigError> Errors { get; } = [];

        private void Error(string? port, string? key, string? value, string problem) =>
            Errors.Add(new ConfigError(source, port, key, value, problem));

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
            foreach (var key in section.Items.Keys.Where(k => !SectionKeys.Contains(k)))
            {
                Error(null, "concentrator." + key, null, $"unknown key{Suggest(key, SectionKeys)}");
            }

            var leases = ReadLeases(section.Items.GetValueOrDefault("leases"));
            var api = ReadApi(section.Items.GetValueOrDefault("api"));
            var security = ReadSecurity(section.Items.GetValueOrDefault("security"));
            var cluster = ReadCluster(section.Items.GetValueOrDefault("cluster"));
            if (witness)
            {
                if (cluster is null)
                {
                    Error(null, "concentrator.cluster", null, "serve --witness needs a cluster { node-name, bind, seeds } to vote in");
                    return null;
                }

                cluster = cluster with { Witness = true };
            }

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
                if (cluster is { Witness: true })
                {
                    // A witness serves no ports: it only votes in the cluster.
                    return new ConcentratorSettings(source, [], null, leases) { Api = api, Security = security, Cluster = cluster };
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
            CheckApiAddress(api, ports);
            CheckPasswordListeners(ports, discovery, security);
            if (cluster is { Witness: true } && ports.Count > 0)
            {
                Error(null, "concentrator.cluster.witness", "on", $"a witness serves no ports, but {ports.Count} are configured");
            }

            return new ConcentratorSettings(source, ports, discovery, leases) { Api = api, Security = security, Cluster = cluster };
        }

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
                    Path.IsPathRooted(file) ? file : Path.GetFullPath(Path.Combine(baseDirectory, file)));
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
            stateFile = Path.IsPathRooted(stateFile) ? stateFile : Path.GetFullPath(Path.Combine(baseDirectory, stateFile));
            var listener = ReadListener(where, d, "", basePort);
            var template = ReadPort(where, null, defaults, deviceOverride: match, listenersOverride: [listener]);
            if (template?.Log is { } log && !log.File.Contains(PortPlaceholder, StringComparison.Ordinal))
            {
                Error(where, "log.file", log.File, $"every discovered port needs its own log: put {PortPlaceholder} in the file name");
            }

            return Errors.Count != before || template is null ? null : new DiscoverySettings(match, basePort, stateFile, template, forgetAfter);
        }

        private PortSettings? ReadPort(string name, HoconObject? port, HoconObject? defaults,
            string? deviceOverride = null, List<ListenerSettings>? listenersOverride = null)
        {
            if (port is not null)
            {
                CheckKeys(port, PortKeys, name, "");
            }

            var before = Errors.Count;

            HoconValue? Get(string key) =>
                port is not null && port.Items.TryGetValue(key, out var v) ? v
                : defaults is not null && defaults.Items.TryGetValue(key, out var d) ? d : null;

            var device = deviceOverride ?? (Get("device") is { } dv ? dv.GetString() : null);
            if (string.IsNullOrWhiteSpace(device))
            {
                Error(name, "device", null, "missing: the serial device path (e.g. /dev/serial/by-id/..., sim:demo, sim:echo)");
            }
            else if (device.StartsWith("sim:", StringComparison.Ordinal) && !SerialDeviceFactory.IsSimulated(device))
            {
                Error(name, "device", device, $"unknown simulated device (expected {string.Join(" | ", SerialDeviceFactory.SimulatedNames)})");
            }

            var backend = Enum(name, "backend", Get("backend"), DeviceBackend.Auto,
                ("auto", DeviceBackend.Auto), ("posix", DeviceBackend.Posix), ("system-io-ports", DeviceBackend.SystemIoPorts));
            var baud = Int(name, "baud", Get("baud"), LineSettings.Default.BaudRate, 1, 100_000_000);
            var dataBits = Int(name, "data-bits", Get("data-bits"), 8, 5, 8);
            var parity = Enum(name, "parity", Get("parity"), Parity.None,
                ("none", Parity.None), ("odd", Parity.Odd), ("even", Parity.Even), ("mark", Parity.Mark), ("space", Parity.Space));
            var stopBits = Enum(name, "stop-bits", Get("stop-bits"), StopBits.One,
                ("1", StopBits.One), ("1.5", StopBits.OnePointFive), ("2", StopBits.Two));
            var flow = Enum(name, "flow-control", Get("flow-control"), FlowControl.None,
                ("none", FlowControl.None), ("xonxoff", FlowControl.XonXoff), ("rtscts", FlowControl.RtsCts));
            var banner = Get("banner") is { } b ? b.GetString() : null;
            var idle = Duration(name, "idle-timeout", Get("idle-timeout"), TimeSpan.Zero);
            var maxSessions = Int(name, "max-sessions", Get("max-sessions"), 16, 1, 10_000);
            var kickOld = Bool(name, "kick-old", Get("kick-old"), false);
            var writePolicy = Enum(name, "write-policy", Get("write-policy"), WritePolicy.Shared,
                ("shared", WritePolicy.Shared), ("exclusive", WritePolicy.Exclusive));
            var scrollback = Size(name, "scrollback", Get("scrollback"), 64 * 1024, 0, 1L << 30);
            var log = ReadLog(name, Get("log"));
            var (minBackoff, maxBackoff) = ReadReopen(name, Get("reopen"));
            var notices = Bool(name, "notices", Get("notices"), false);
            var tags = ReadTags(name, Get("tags"));
            var acl = ReadAcl(name, Get("acl"));
            var listeners = listenersOverride ?? ReadListeners(name, Get("listeners"));
            var escape = Get("escape") is { } e ? e.GetString() : "^Ec";
            if (!Sharing.EscapeSequence.TryParse(escape, out var parsedEscape))
            {
                Error(name, "escape", escape, "expected a caret letter and a character such as ^Ec or ^]x, or off");
            }

            if (Errors.Count != before || device is null)
            {
                return null;
            }

            return new PortSettings(name, device, backend, new LineSettings(baud, dataBits, parity, stopBits, flow),
                listeners, banner, idle, maxSessions, kickOld, writePolicy, scrollback, log, minBackoff, maxBackoff,
                parsedEscape is null ? null : escape, notices, tags, acl);
        }

        /// <summary>tags = ["rack-3", "board:rpi4"]: words a scheduler matches ports by; no spaces, no duplicates.</summary>
        private List<string> ReadTags(string port, HoconValue? value)
        {
            var tags = new List<string>();
            if (value is null || IsEmptyList(value))
            {
                return tags; // Akka's HOCON does not see "[]" as a list
            }

            if (!value.IsArray())
            {
                Error(port, "tags", Show(value), "expected a list of words, e.g. tags = [\"rack-3\", \"board:rpi4\"]");
                return tags;
            }

            foreach (var item in value.GetArray())
            {
                var tag = item.IsString() ? item.GetString() : null;
                if (string.IsNullOrWhiteSpace(tag) || tag.Any(char.IsWhiteSpace))
                {
                    Error(port, "tags", Show(item), "a tag is one word without spaces, e.g. board:rpi4");
                }
                else if (!tags.Contains(tag, StringComparer.Ordinal))
                {
                    tags.Add(tag);
                }
            }

            return tags;
        }

        private List<ListenerSettings> ReadListeners(string port, HoconValue? value)
        {
            var result = new List<ListenerSettings>();
            if (value is null || !value.IsArray())
            {
                Error(port, "listeners", value is null ? null : Show(value),
                    "missing: a list of listeners, e.g. listeners = [ { port = 7000, protocol = rfc2217 } ]");
                return result;
            }

            var items = value.GetArray();
            if (items.Count == 0)
            {
                Error(port, "listeners", "[]", "at least one listener is needed");
            }

            for (var i = 0; i < items.Count; i++)
            {
                var prefix = $"listeners[{i}].";
                if (!items[i].IsObject())
                {
                    Error(port, $"listeners[{i}]", Show(items[i]), "a listener must be an object { port = ..., protocol = ... }");
                    continue;
                }

                var l = items[i].GetObject();
                CheckKeys(l, ListenerKeys, port, prefix);
                if (!l.Items.ContainsKey("port"))
                {
                    Error(port, prefix + "port", null, "missing: the TCP port to listen on");
                }

                result.Add(ReadListener(port, l, prefix, Int(port, prefix + "port", l.Items.GetValueOrDefault("port"), 0, 1, 65535)));
            }

            return result;
        }

        private ListenerSettings ReadListener(string? port, HoconObject l, string prefix, int tcp)
        {
            HoconValue? Get(string key) => l.Items.TryGetValue(key, out var v) ? v : null;
            var bind = Address(port, prefix + "bind", Get("bind"));
            var protocol = Enum(port, prefix + "protocol", Get("protocol"), ListenerProtocol.Rfc2217,
                ("raw", ListenerProtocol.Raw), ("telnet", ListenerProtocol.Telnet), ("rfc2217", ListenerProtocol.Rfc2217));
            var access = Enum(port, prefix + "access", Get("access"), SessionAccess.ReadWrite,
                ("read-write", SessionAccess.ReadWrite), ("read-only", SessionAccess.ReadOnly));
            // Replay is on for watchers and humans; off for read-write raw/rfc2217, where a flashing tool must never see stale bytes.
            var replayDefault = access == SessionAccess.ReadOnly || protocol == ListenerProtocol.Telnet;
            var replay = Bool(port, prefix + "replay", Get("replay"), replayDefault);
            var queue = Size(port, prefix + "output-queue", Get("output-queue"), 1024 * 1024, 4096, 1L << 30);
            var overflow = Enum(port, prefix + "overflow", Get("overflow"),
                access == SessionAccess.ReadOnly ? OverflowPolicy.DropOldest : OverflowPolicy.Disconnect,
                ("drop-oldest", OverflowPolicy.DropOldest), ("disconnect", OverflowPolicy.Disconnect),
                ("backpressure", OverflowPolicy.Backpressure));
            if (overflow == OverflowPolicy.Backpressure && access == SessionAccess.ReadOnly)
            {
                Error(port, prefix + "overflow", "backpressure", "a read-only listener must never slow the device: use drop-oldest or disconnect");
            }

            var (tls, auth, sources) = ReadListenerSecurity(port, l, prefix, protocol, bind);
            return new ListenerSettings(bind, tcp, protocol, access, replay, queue, overflow, tls, auth, sources, Get("overflow") is not null);
        }

        private ConsoleLogSettings? ReadLog(string port, HoconValue? value)
        {
            if (value is null)
            {
                return null;
            }

            if (!value.IsObject())
            {
                Error(port, "log", Show(value), "must be an object { file = ..., timestamps = on, max-size = 10MiB, keep = 5 }");
                return null;
            }

            var log = value.GetObject();
            CheckKeys(log, LogKeys, port, "log.");
            HoconValue? Get(string key) => log.Items.TryGetValue(key, out var v) ? v : null;
            var file = Get("file")?.GetString();
            if (string.IsNullOrWhiteSpace(file))
            {
                Error(port, "log.file", null, "missing: the log file path");
                return null;
            }

            // {port} lets concentrator.defaults and discovery give every port its own file.
            file = port == "discovery" ? file : file.Replace(PortPlaceholder, port, StringComparison.Ordinal);
            var full = Path.IsPathRooted(file) ? file : Path.GetFullPath(Path.Combine(baseDirectory, file));
            return new ConsoleLogSettings(full,
                Bool(port, "log.timestamps", Get("timestamps"), true),
                Size(port, "log.max-size", Get("max-size"), 10L * 1024 * 1024, 1024, long.MaxValue),
                Int(port, "log.keep", Get("keep"), 5, 0, 1000));
        }

        private (TimeSpan Min, TimeSpan Max) ReadReopen(string port, HoconValue? value)
        {
            TimeSpan min = TimeSpan.FromMilliseconds(200), max = TimeSpan.FromSeconds(5);
            if (value is null)
            {
                return (min, max);
            }

            if (!value.IsObject())
            {
                Error(port, "reopen", Show(value), "must be an object { min-backoff = 200ms, max-backoff = 5s }");
                return (min, max);
            }

            var o = value.GetObject();
            CheckKeys(o, ReopenKeys, port, "reopen.");
            min = Duration(port, "reopen.min-backoff", o.Items.GetValueOrDefault("min-backoff"), min);
            max = Duration(port, "reopen.max-backoff", o.Items.GetValueOrDefault("max-backoff"), max);
            if (min <= TimeSpan.Zero || max < min)
            {
                Error(port, "reopen", $"{min} .. {max}", "min-backoff must be > 0 and max-backoff >= min-backoff");
            }

            return (min, max);
        }

        private void CheckDuplicateListeners(List<PortSettings> ports)
        {
            var seen = new List<(string Port, ListenerSettings Listener)>();
            foreach (var port in ports)
            {
                foreach (var l in port.Listeners)
                {
                    var clash = seen.FirstOrDefault(s => s.Listener.Port == l.Port && Overlaps(s.Listener.Bind, l.Bind));
                    if (clash.Listener is not null)
                    {
                        Error(port.Name, "listeners.port", l.Port.ToString(CultureInfo.InvariantCulture),
                            $"TCP port {l.Port} is already used by port '{clash.Port}' ({clash.Listener.EndPoint})");
                    }

                    seen.Add((port.Name, l));
                }
            }
        }

        private void CheckSharedLogs(List<PortSettings> ports)
        {
            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var port in ports.Where(p => p.Log is not null))
            {
                if (seen.TryGetValue(port.Log!.File, out var other))
                {
                    Error(port.Name, "log.file", port.Log.File,
                        $"port '{other}' already logs to this file; two ports in one file corrupt each other " +
                        $"(use {PortPlaceholder} in concentrator.defaults)");
                }
                else
                {
                    seen[port.Log.File] = port.Name;
                }
            }
        }

        private static bool Overlaps(IPAddress a, IPAddress b) =>
            a.Equals(b) || a.Equals(IPAddress.Any) || b.Equals(IPAddress.Any) ||
            a.Equals(IPAddress.IPv6Any) || b.Equals(IPAddress.IPv6Any);

        private void CheckSharedDevices(List<PortSettings> ports)
        {
            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var port in ports.Where(p => !SerialDeviceFactory.IsSimulated(p.Device)))
            {
                var real = DevicePaths.Resolve(port.Device);
                if (seen.TryGetValue(real, out var other))
                {
                    Error(port.Name, "device", port.Device, $"the same device is already served by port '{other}'");
                }
                else
                {
                    seen[real] = port.Name;
                }
            }
        }

        private void CheckKeys(HoconObject o, string[] known, string? port, string prefix)
        {
            foreach (var key in o.Items.Keys.Where(k => !known.Contains(k)))
            {
                Error(port, prefix + key, Show(o.Items[key]), $"unknown key{Suggest(key, known)}");
            }
        }

        private static string Suggest(string key, IEnumerable<string> known)
        {
            var best = known.Select(k => (Key: k, Distance: EditDistance(key, k))).MinBy(x => x.Distance);
            return best.Key is not null && best.Distance <= Math.Max(2, key.Length / 3) ? $" (did you mean '{best.Key}'?)" : "";
        }

        private static int EditDistance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (var i = 0; i <= a.Length; i++)
            {
                d[i, 0] = i;
            }

            for (var j = 0; j <= b.Length; j++)
            {
                d[0, j] = j;
            }

            for (var i = 1; i <= a.Length; i++)
            {
                for (var j = 1; j <= b.Length; j++)
                {
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                }
            }

            return d[a.Length, b.Length];
        }

        private T Enum<T>(string? port, string key, HoconValue? value, T fallback, params (string Name, T Value)[] choices)
        {
            if (value is null)
            {
                return fallback;
            }

            var text = Show(value);
            foreach (var (n, v) in choices)
            {
                if (string.Equals(n, text, StringComparison.OrdinalIgnoreCase))
                {
                    return v;
                }
            }

            Error(port, key, text, $"expected {string.Join(" | ", choices.Select(c => c.Name))}{Suggest(text, choices.Select(c => c.Name))}");
            return fallback;
        }

        private int Int(string? port, string key, HoconValue? value, int fallback, int min, int max)
        {
            if (value is null)
            {
                return fallback;
            }

            var text = Show(value);
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
            {
                return n;
            }

            Error(port, key, text, $"expected a whole number from {min} to {max}");
            return fallback;
        }

        private bool Bool(string? port, string key, HoconValue? value, bool fallback)
        {
            if (value is null)
            {
                return fallback;
            }

            switch (Show(value).ToLowerInvariant())
            {
                case "on" or "true" or "yes":
                    return true;
                case "off" or "false" or "no":
                    return false;
                default:
                    Error(port, key, Show(value), "expected on | off");
                    return fallback;
            }
        }

        private TimeSpan Duration(string? port, string key, HoconValue? value, TimeSpan fallback)
        {
            if (value is null)
            {
                return fallback;
            }

            try
            {
                var t = value.GetTimeSpan(allowInfinite: false);
                if (t >= TimeSpan.Zero)
                {
                    return t;
                }
            }
            catch (Exception e) when (e is FormatException or ConfigurationException or OverflowException or ArgumentException)
            {
            }

            Error(port, key, Show(value), "expected a duration such as 0s, 500ms, 30s, 10m, 1h");
            return fallback;
        }

        private long Size(string? port, string key, HoconValue? value, long fallback, long min, long max)
        {
            if (value is null)
            {
                return fallback;
            }

            try
            {
                if (value.GetByteSize() is { } n && n >= min && n <= max)
                {
                    return n;
                }
            }
            catch (Exception e) when (e is FormatException or ConfigurationException or OverflowException or ArgumentException)
            {
            }

            Error(port, key, Show(value), $"expected a size such as 64KiB or 10MiB, from {min} bytes");
            return fallback;
        }

        private IPAddress Address(string? port, string key, HoconValue? value)
        {
            if (value is null)
            {
                return IPAddress.Loopback;
            }

            var text = Show(value);
            switch (text)
            {
                case "localhost":
                    return IPAddress.Loopback;
                case "*" or "0.0.0.0" or "any":
                    return IPAddress.Any;
            }

            if (IPAddress.TryParse(text, out var address))
            {
                return address;
            }

            Error(port, key, text, "expected an IP address such as 127.0.0.1, 0.0.0.0 or ::1");
            return IPAddress.Loopback;
        }

        private static string Show(HoconValue value)
        {
            try
            {
                return value.IsString() ? value.GetString() : value.ToString();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return value.ToString();
            }
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
