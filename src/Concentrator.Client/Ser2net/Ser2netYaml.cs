using Concentrator.Client.Import;
using System.Globalization;

namespace Concentrator.Client.Ser2net;

/// <summary>
/// ser2net 4.x YAML import: the mapping of each top-level <c>connection:</c> (read by <see cref="Ser2netYamlReader"/>)
/// to an <see cref="ImportedPort"/>; every other top-level entry is reported.
/// </summary>
internal static class Ser2netYaml
{
    /// <exception cref="Ser2netFormatException">The YAML is broken; nothing was added to <paramref name="context"/>.</exception>
    public static void Import(string text, ImportContext context)
    {
        foreach (var (key, value, line) in Ser2netYamlReader.ReadTopLevel(text, context.Source))
        {
            switch (key)
            {
                case "connection":
                    ImportConnection(value, line, context);
                    break;
                case "define":
                    break; // used through aliases
                default:
                    context.Warn(line, $"'{key}:' is not supported by concentrator (only connections are imported); ignored");
                    break;
            }
        }
    }

    private static void ImportConnection(YamlNode node, int line, ImportContext context)
    {
        if (node.Entries is null)
        {
            context.Warn(line, "connection: expected a mapping with accepter and connector; ignored");
            return;
        }

        string? Get(string key) => node.ValueOf(key)?.Scalar;
        var name = node.Anchor;
        var accepter = Get("accepter");
        var connector = Get("connector");
        var label = $"connection {(name is null ? "" : "&" + name)}";
        if (accepter is null || connector is null)
        {
            context.Warn(line, $"{label}: needs accepter and connector; ignored");
            return;
        }

        // Accepter: [filters...,] tcp, [host,] port
        var parts = SplitGensio(accepter);
        var transport = parts.FindIndex(p => p is "tcp" or "sctp" or "udp");
        if (transport < 0 || transport + 1 >= parts.Count)
        {
            context.Warn(line, $"{label}: accepter '{accepter}' is not a tcp accepter concentrator can serve; ignored");
            return;
        }

        var hostAndPort = parts[(transport + 1)..];
        if (!int.TryParse(hostAndPort[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var tcpPort) || tcpPort is < 1 or > 65535)
        {
            context.Warn(line, $"{label}: accepter '{accepter}' has no TCP port number; ignored");
            return;
        }

        // Connector: serialdev, device, options...
        var c = SplitGensio(connector);
        if (c.Count < 2 || !c[0].StartsWith("serialdev", StringComparison.Ordinal))
        {
            context.Warn(line, $"{label}: connector '{connector}' is not a serialdev; concentrator serves serial devices only; ignored");
            return;
        }

        var port = new ImportedPort { Name = name ?? Ser2netImporter.DeviceName(c[1]), Device = c[1], TcpPort = tcpPort };
        port.Comments.Add($"{context.Source}:{line}: connection{(name is null ? "" : " &" + name)}: accepter {accepter}; connector {connector}");
        if (parts[transport] != "tcp")
        {
            context.Warn(line, $"{label}: '{parts[transport]}' accepter served over TCP");
        }

        if (hostAndPort.Count > 1)
        {
            port.Bind = Ser2netImporter.NormalizeHost(hostAndPort[0]);
            if (!Ser2netImporter.IsAddress(hostAndPort[0]))
            {
                context.Warn(line, $"{label}: accepter host '{hostAndPort[0]}' is a name; concentrator binds an IP address; using 0.0.0.0");
                port.Bind = "0.0.0.0";
            }
        }
        else
        {
            port.Comments.Add("ser2net listens on every interface when the accepter names no host: bind = 0.0.0.0");
        }

        foreach (var filter in parts[..transport])
        {
            var f = filter.Replace(" ", "", StringComparison.Ordinal);
            if (f == "telnet")
            {
                port.Protocol = port.Protocol == "rfc2217" ? "rfc2217" : "telnet";
            }
            else if (f.StartsWith("telnet(", StringComparison.Ordinal) && f.Contains("rfc2217", StringComparison.Ordinal)
                && !f.Contains("rfc2217=false", StringComparison.Ordinal))
            {
                port.Protocol = "rfc2217";
            }
            else if (f.StartsWith("telnet(", StringComparison.Ordinal))
            {
                port.Protocol = "telnet";
                context.Warn(line, $"{label}: telnet options '{filter}' not imported; served as plain telnet");
            }
            else
            {
                context.Warn(line, $"{label}: accepter layer '{filter}' (encryption, authentication, mux) is not supported; served without it");
            }
        }

        var connectorFilter = c[0].Replace(" ", "", StringComparison.Ordinal);
        if (connectorFilter != "serialdev")
        {
            context.Warn(line, $"{label}: connector options '{c[0]}' not imported");
        }

        foreach (var option in c[2..])
        {
            if (!Ser2netImporter.ApplyOption(option, port, out var problem))
            {
                context.Warn(line, $"{label}: connector option '{option}': {problem}");
            }
        }

        foreach (var (key, value, entryLine) in node.Entries)
        {
            switch (key)
            {
                case "accepter" or "connector" or "options":
                    break;
                case "timeout":
                    if (int.TryParse(value.Scalar, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                    {
                        port.IdleTimeoutSeconds = seconds;
                    }
                    else
                    {
                        context.Warn(entryLine, $"{label}: timeout '{value.Scalar}' is not a number of seconds; ignored");
                    }

                    break;
                case "enable":
                    if (value.Scalar is "off" or "false" or "no")
                    {
                        port.Enabled = false;
                        context.Warn(entryLine, $"{label}: enable: off: imported commented out (not served)");
                    }

                    break;
                default:
                    context.Warn(entryLine, $"{label}: '{key}' is not supported; ignored");
                    break;
            }
        }

        var options = node.ValueOf("options");
        string? banner = null;
        foreach (var (key, value, entryLine) in options?.Entries ?? [])
        {
            var v = value.Scalar ?? "";
            switch (key)
            {
                case "banner":
                    banner = v;
                    break;
                case "kickolduser":
                    port.KickOld = v is "true" or "on" or "yes" or "1";
                    break;
                case "max-connections":
                    if (!Ser2netImporter.ApplyOption("max-connections=" + v, port, out var problem))
                    {
                        context.Warn(entryLine, $"{label}: max-connections '{v}': {problem}");
                    }

                    break;
                default:
                    if (v is "false" or "off" or "no" && key is "telnet-brk-on-sync" or "chardelay" or "hexdump" or "timestamp")
                    {
                        port.Comments.Add($"'{key}: {v}': the concentrator default already");
                    }
                    else if (!Ser2netImporter.ApplyOption(key, port, out var reason) || key is "remctl")
                    {
                        context.Warn(entryLine, $"{label}: option '{key}: {v}': {(reason.Length > 0 ? reason : "not supported; ignored")}");
                    }

                    break;
            }
        }

        if (options is { Scalar: { Length: > 0 } })
        {
            context.Warn(line, $"{label}: options should be a mapping; '{options.Scalar}' ignored");
        }

        if (banner is not null)
        {
            port.Banner = Ser2netImporter.ExpandEscapes(banner, port, w => context.Warn(line, $"{label}: banner: {w}"));
            Ser2netImporter.NoteBannerTrim(port);
        }

        context.Add(port);
    }

    /// <summary>Splits a gensio string on commas outside parentheses, trimming each part.</summary>
    internal static List<string> SplitGensio(string text)
    {
        var result = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || (text[i] == ',' && depth == 0))
            {
                var part = text[start..i].Trim();
                if (part.Length > 0)
                {
                    result.Add(part);
                }

                start = i + 1;
            }
            else if (text[i] == '(')
            {
                depth++;
            }
            else if (text[i] == ')')
            {
                depth--;
            }
        }

        return result;
    }
}
