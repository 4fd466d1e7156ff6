using Akka.Configuration.Hocon;

namespace Concentrator.Ports.Configuration;

/// <summary>The <c>discovery</c> section: rack mode.</summary>
public static partial class ConfigLoader
{
    private sealed partial class Reader
    {
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
