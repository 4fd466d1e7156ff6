using System.Globalization;
using System.Text;

namespace Concentrator.Client.Ser2net;

/// <summary>
/// ser2net 4.x YAML import: a small reader for the YAML subset ser2net configs use (block mappings, repeated
/// top-level keys, anchors and aliases, plain scalars folded over several lines, quoted scalars), then the
/// mapping of each <c>connection:</c>.
/// </summary>
internal static class Ser2netYaml
{
    /// <summary>A YAML node: a scalar or an ordered mapping (keys may repeat at the top level).</summary>
    internal sealed record Node(string? Scalar, List<(string Key, Node Value, int Line)>? Entries, string? Anchor);

    public static void Import(string text, Ser2netImporter.Context context)
    {
        List<(string Key, Node Value, int Line)> top;
        try
        {
            top = new Reader(text).ReadDocument();
        }
        catch (FormatException e)
        {
            context.Warn(0, $"cannot read the YAML: {e.Message}");
            return;
        }

        foreach (var (key, value, line) in top)
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

    private static void ImportConnection(Node node, int line, Ser2netImporter.Context context)
    {
        if (node.Entries is null)
        {
            context.Warn(line, "connection: expected a mapping with accepter and connector; ignored");
            return;
        }

        string? Get(string key) => node.Entries.FirstOrDefault(e => e.Key == key).Value?.Scalar;
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

        var options = node.Entries.FirstOrDefault(e => e.Key == "options").Value;
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

    /// <summary>Indentation-based reader for the YAML subset above.</summary>
    private sealed class Reader
    {
        private readonly List<(int Number, int Indent, string Text)> _lines = [];
        private readonly Dictionary<string, Node> _anchors = new(StringComparer.Ordinal);
        private int _pos;

        public Reader(string text)
        {
            var raw = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
            for (var i = 0; i < raw.Length; i++)
            {
                var line = StripComment(raw[i]).TrimEnd();
                var trimmed = line.TrimStart();
                if (trimmed.Length == 0 || trimmed.StartsWith('%') || trimmed is "---" or "...")
                {
                    continue;
                }

                if (line.Contains('\t', StringComparison.Ordinal) && line.Length - trimmed.Length > 0 && line[..(line.Length - trimmed.Length)].Contains('\t', StringComparison.Ordinal))
                {
                    throw new FormatException($"line {i + 1}: tabs are not allowed for indentation in YAML");
                }

                _lines.Add((i + 1, line.Length - trimmed.Length, trimmed));
            }
        }

        public List<(string, Node, int)> ReadDocument() => ReadMapping(0);

        private List<(string, Node, int)> ReadMapping(int indent)
        {
            var entries = new List<(string, Node, int)>();
            while (_pos < _lines.Count && _lines[_pos].Indent == indent)
            {
                var (number, _, text) = _lines[_pos];
                if (text.StartsWith("- ", StringComparison.Ordinal) || text == "-")
                {
                    throw new FormatException($"line {number}: YAML sequences are not used by ser2net configs and not supported here");
                }

                var colon = FindKeyColon(text);
                if (colon < 0)
                {
                    throw new FormatException($"line {number}: expected 'key: value', got '{text}'");
                }

                var key = Unquote(text[..colon].Trim());
                var rest = text[(colon + 1)..].Trim();
                _pos++;
                string? anchor = null;
                if (rest.StartsWith('&'))
                {
                    var end = rest.IndexOf(' ', StringComparison.Ordinal);
                    anchor = end < 0 ? rest[1..] : rest[1..end];
                    rest = end < 0 ? "" : rest[(end + 1)..].Trim();
                }

                Node value;
                if (rest.StartsWith('*'))
                {
                    var alias = rest[1..].Trim();
                    value = _anchors.TryGetValue(alias, out var target)
                        ? target
                        : throw new FormatException($"line {number}: unknown alias '*{alias}'");
                }
                else if (rest.Length == 0 && _pos < _lines.Count && _lines[_pos].Indent > indent && FindKeyColon(_lines[_pos].Text) >= 0)
                {
                    value = new Node(null, ReadMapping(_lines[_pos].Indent), anchor);
                }
                else
                {
                    var sb = new StringBuilder(rest);
                    while (_pos < _lines.Count && _lines[_pos].Indent > indent)
                    {
                        if (sb.Length > 0)
                        {
                            sb.Append(' ');
                        }

                        sb.Append(_lines[_pos].Text);
                        _pos++;
                    }

                    value = new Node(Scalar(sb.ToString(), number), null, anchor);
                }

                if (anchor is not null)
                {
                    _anchors[anchor] = value;
                }

                entries.Add((key, value, number));
            }

            if (_pos < _lines.Count && _lines[_pos].Indent > indent)
            {
                throw new FormatException($"line {_lines[_pos].Number}: unexpected indentation");
            }

            return entries;
        }

        private static int FindKeyColon(string text)
        {
            var quote = '\0';
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (quote != '\0')
                {
                    if (c == quote)
                    {
                        quote = '\0';
                    }
                }
                else if (c is '"' or '\'' && i == 0)
                {
                    quote = c;
                }
                else if (c == ':' && (i + 1 == text.Length || text[i + 1] == ' '))
                {
                    return i;
                }
            }

            return -1;
        }

        private static string StripComment(string line)
        {
            var quote = '\0';
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                if (quote != '\0')
                {
                    if (c == quote)
                    {
                        quote = '\0';
                    }
                }
                else if (c is '"' or '\'' && (i == 0 || line[i - 1] is ' ' or ':'))
                {
                    quote = c;
                }
                else if (c == '#' && (i == 0 || line[i - 1] is ' ' or '\t'))
                {
                    return line[..i];
                }
            }

            return line;
        }

        private static string Unquote(string text) =>
            text.Length >= 2 && text[0] is '"' or '\'' && text[^1] == text[0] ? text[1..^1] : text;

        private static string Scalar(string text, int number)
        {
            if (text.Length >= 2 && text[0] == '\'' && text[^1] == '\'')
            {
                return text[1..^1].Replace("''", "'", StringComparison.Ordinal);
            }

            if (text.Length >= 2 && text[0] == '"' && text[^1] == '"')
            {
                // YAML double-quoted escapes; ser2net's own escapes (\d, \p ...) pass through unknown ones.
                var inner = text[1..^1];
                var sb = new StringBuilder(inner.Length);
                for (var i = 0; i < inner.Length; i++)
                {
                    if (inner[i] != '\\' || i + 1 >= inner.Length)
                    {
                        sb.Append(inner[i]);
                        continue;
                    }

                    var e = inner[++i];
                    _ = e switch
                    {
                        'n' => sb.Append('\n'),
                        'r' => sb.Append('\r'),
                        't' => sb.Append('\t'),
                        '"' => sb.Append('"'),
                        '\\' => sb.Append(@"\\"),
                        _ => sb.Append('\\').Append(e),
                    };
                }

                return sb.ToString();
            }

            if (text.StartsWith('"') || text.StartsWith('\''))
            {
                throw new FormatException($"line {number}: unterminated quoted string");
            }

            return text;
        }
    }
}
