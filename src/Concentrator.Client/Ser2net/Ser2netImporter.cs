using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Concentrator.Client.Ser2net;

/// <summary>The HOCON produced from a ser2net config and every problem met on the way.</summary>
/// <param name="Hocon">A complete <c>concentrator { ports { ... } }</c> config.</param>
/// <param name="Warnings">Options and lines that could not be mapped (nothing is dropped silently).</param>
/// <param name="PortCount">How many ports were imported as enabled.</param>
public sealed record ImportResult(string Hocon, IReadOnlyList<string> Warnings, int PortCount);

/// <summary>
/// Converts ser2net configs to concentrator HOCON: the classic ser2net.conf line format (3.x:
/// <c>PORT:STATE:TIMEOUT:DEVICE:OPTIONS</c> plus <c>BANNER:name:text</c> and friends) and ser2net.yaml (4.x
/// <c>connection:</c> entries with accepter, connector, timeout, enable and options). Pure: text in, text out.
/// </summary>
public static partial class Ser2netImporter
{
    /// <summary>Converts <paramref name="text"/>; YAML is recognised by the file name or its content.</summary>
    /// <exception cref="Ser2netFormatException">The YAML is broken: nothing is imported.</exception>
    public static ImportResult Convert(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        var yaml = source.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)
            || source.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
            || YamlMarker().IsMatch(text);
        var context = new Context(source);
        if (yaml)
        {
            Ser2netYaml.Import(text, context);
        }
        else
        {
            ImportClassic(text, context);
        }

        return context.Finish(yaml ? "ser2net.yaml" : "ser2net.conf");
    }

    [GeneratedRegex(@"^\s*(%YAML|connection\s*:|define\s*:)", RegexOptions.Multiline)]
    private static partial Regex YamlMarker();

    [GeneratedRegex(@"^([0-9]+)([NnEeOoMmSs])([5-8])([12])$")]
    private static partial Regex SerialParamsPattern();

    private static readonly string[] Directives =
        ["BANNER", "TRACEFILE", "OPENSTR", "CLOSESTR", "SIGNATURE", "CONTROLPORT", "LED", "DEVICE", "ROTATOR"];

    private static void ImportClassic(string text, Context context)
    {
        var lines = JoinContinuations(text);
        var banners = new Dictionary<string, string>(StringComparer.Ordinal);
        var named = new Dictionary<string, string>(StringComparer.Ordinal); // other named strings: TRACEFILE, OPENSTR, ...

        foreach (var (number, line) in lines)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var head = colon < 0 ? line : line[..colon];
            if (!Directives.Contains(head, StringComparer.Ordinal))
            {
                continue;
            }

            var rest = line[(colon + 1)..];
            var nameEnd = rest.IndexOf(':', StringComparison.Ordinal);
            if (head == "BANNER" && nameEnd > 0)
            {
                banners[rest[..nameEnd]] = rest[(nameEnd + 1)..];
            }
            else if (head is "TRACEFILE" or "OPENSTR" or "CLOSESTR" or "SIGNATURE" && nameEnd > 0)
            {
                named[rest[..nameEnd]] = head;
                context.Warn(number, $"{head}:{rest[..nameEnd]}: not supported by concentrator; options naming it are reported below");
            }
            else
            {
                context.Warn(number, $"'{line}': {head} is not supported by concentrator (ignored)");
            }
        }

        foreach (var (number, line) in lines)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0 && Directives.Contains(line[..colon], StringComparer.Ordinal))
            {
                continue;
            }

            var fields = line.Split(':', 5);
            if (fields.Length < 4)
            {
                context.Warn(number, $"'{line}': not a ser2net port line (PORT:STATE:TIMEOUT:DEVICE:OPTIONS); ignored");
                continue;
            }

            var (bind, tcpPort) = ParseClassicPort(fields[0].Trim());
            if (tcpPort is null)
            {
                context.Warn(number, $"'{fields[0]}': not a TCP port (expected PORT or ADDRESS,PORT); line ignored");
                continue;
            }

            var device = fields[3].Trim();
            var port = new ImportedPort { Name = DeviceName(device), Device = device, TcpPort = tcpPort.Value };
            port.Comments.Add($"{context.Source}:{number}: {line}");
            if (bind is not null)
            {
                port.Bind = bind;
            }
            else
            {
                port.Comments.Add("ser2net listens on every interface for a bare port number: bind = 0.0.0.0");
            }

            var state = fields[1].Trim().ToLowerInvariant();
            switch (state)
            {
                case "raw":
                    port.Protocol = "raw";
                    break;
                case "rawlp":
                    port.Protocol = "raw";
                    context.Warn(number, $"port {tcpPort}: state 'rawlp' (output only, device input discarded) has no equivalent; served as 'raw'");
                    break;
                case "telnet":
                    port.Protocol = "telnet";
                    break;
                case "off":
                    port.Enabled = false;
                    context.Warn(number, $"port {tcpPort}: state 'off': imported commented out (not served)");
                    break;
                default:
                    context.Warn(number, $"port {tcpPort}: unknown state '{fields[1]}' (expected raw, rawlp, telnet, off); served as 'raw'");
                    break;
            }

            var timeout = fields[2].Trim();
            if (int.TryParse(timeout, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                port.IdleTimeoutSeconds = seconds;
            }
            else
            {
                context.Warn(number, $"port {tcpPort}: timeout '{timeout}' is not a number of seconds; no idle timeout");
            }

            var remctl = false;
            var options = fields.Length > 4 ? fields[4] : "";
            foreach (var token in options.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries))
            {
                if (token.Equals("remctl", StringComparison.OrdinalIgnoreCase))
                {
                    remctl = true;
                }
                else if (banners.TryGetValue(token, out var bannerText))
                {
                    port.Banner = bannerText; // expanded once the port is complete (\s needs the final settings)
                }
                else if (named.TryGetValue(token, out var kind))
                {
                    context.Warn(number, $"port {tcpPort}: option '{token}' ({kind}) not supported; ignored");
                }
                else if (!ApplyOption(token, port, out var problem))
                {
                    context.Warn(number, $"port {tcpPort}: option '{token}': {problem}");
                }
            }

            if (remctl)
            {
                if (port.Protocol == "telnet")
                {
                    port.Protocol = "rfc2217";
                }
                else
                {
                    context.Warn(number, $"port {tcpPort}: 'remctl' only works with the telnet state in ser2net; ignored for '{state}'");
                }
            }

            if (port.Banner is not null)
            {
                port.Banner = ExpandEscapes(port.Banner, port, w => context.Warn(number, $"port {tcpPort}: banner: {w}"));
                NoteBannerTrim(port);
            }

            context.Add(port);
        }
    }

    private static List<(int Number, string Line)> JoinContinuations(string text)
    {
        var result = new List<(int, string)>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var start = i + 1;
            var line = lines[i];
            while (line.EndsWith('\\') && !line.EndsWith(@"\\", StringComparison.Ordinal) && i + 1 < lines.Length)
            {
                line = line[..^1] + lines[++i];
            }

            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            result.Add((start, trimmed));
        }

        return result;
    }

    private static (string? Bind, int? Port) ParseClassicPort(string field)
    {
        var comma = field.LastIndexOf(',');
        var host = comma < 0 ? null : field[..comma].Trim();
        var portText = comma < 0 ? field : field[(comma + 1)..].Trim();
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return (null, null);
        }

        return (host is null ? null : NormalizeHost(host), port);
    }

    internal static string NormalizeHost(string host) => host switch
    {
        "localhost" => "127.0.0.1",
        "" or "0.0.0.0" or "::" => "0.0.0.0",
        _ => host.Trim('[', ']'),
    };

    internal static bool IsAddress(string text) => IPAddress.TryParse(text.Trim('[', ']'), out _) || text == "localhost";

    /// <summary>A port name from the device path, e.g. /dev/ttyU0 -> ttyU0.</summary>
    internal static string DeviceName(string device)
    {
        var name = device[(device.LastIndexOf('/') + 1)..];
        var clean = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray()).Trim('-');
        return clean.Length == 0 ? "port" : clean;
    }

    /// <summary>
    /// Applies one serial/port option in ser2net's classic spelling (also used for 4.x connector options).
    /// Returns false with the reason when concentrator has no equivalent.
    /// </summary>
    internal static bool ApplyOption(string token, ImportedPort port, out string problem)
    {
        problem = "";
        if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var baud) && baud > 0)
        {
            port.Baud = baud;
            return true;
        }

        var m = SerialParamsPattern().Match(token);
        if (m.Success)
        {
            port.Baud = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            port.Parity = ParityName(m.Groups[2].Value[0]);
            port.DataBits = m.Groups[3].Value[0] - '0';
            port.StopBits = m.Groups[4].Value;
            return true;
        }

        var eq = token.IndexOf('=', StringComparison.Ordinal);
        var key = (eq < 0 ? token : token[..eq]).ToUpperInvariant().Replace('_', '-');
        var value = eq < 0 ? null : token[(eq + 1)..];
        switch (key)
        {
            case "5DATABITS" or "6DATABITS" or "7DATABITS" or "8DATABITS":
                port.DataBits = key[0] - '0';
                return true;
            case "NONE" or "EVEN" or "ODD" or "MARK" or "SPACE":
                port.Parity = key.ToLowerInvariant();
                return true;
            case "1STOPBIT":
                port.StopBits = "1";
                return true;
            case "2STOPBITS":
                port.StopBits = "2";
                return true;
            case "XONXOFF":
                port.FlowControl = "xonxoff";
                return true;
            case "RTSCTS":
                port.FlowControl = "rtscts";
                return true;
            case "-XONXOFF" or "-RTSCTS":
                if (port.FlowControl == (key == "-XONXOFF" ? "xonxoff" : "rtscts"))
                {
                    port.FlowControl = "none";
                }

                return true;
            case "LOCAL":
                port.Comments.Add($"'{token}': concentrator always ignores the modem control lines (CLOCAL), as LOCAL asks");
                return true;
            case "-LOCAL":
                problem = "concentrator always ignores carrier detect (CLOCAL); it cannot wait for or hang up on the modem lines";
                return false;
            case "HANGUP-WHEN-DONE":
                problem = "no equivalent: concentrator keeps the device open and DTR as is when the last session closes";
                return false;
            case "-HANGUP-WHEN-DONE" or "-NOBREAK" or "-KICKOLDUSER" or "-TIMESTAMP" or "-HEXDUMP" or "-CHARDELAY" or "-TELNET-BRK-ON-SYNC":
                if (key == "-KICKOLDUSER")
                {
                    port.KickOld = false;
                }

                port.Comments.Add($"'{token}': the concentrator default already");
                return true;
            case "NOBREAK":
                problem = "no equivalent: concentrator does not clear a break condition on open";
                return false;
            case "KICKOLDUSER":
                port.KickOld = true;
                return true;
            case "MAX-CONNECTIONS":
                if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var max) && max >= 1)
                {
                    port.MaxSessions = max;
                    return true;
                }

                problem = "expected max-connections=N with N >= 1";
                return false;
            case "TR" or "TW" or "TB":
                problem = "trace files are not supported (concentrator's 'log { file = ... }' logs device output in its own format)";
                return false;
            case "TIMESTAMP" or "HEXDUMP":
                problem = "trace file formatting is not supported";
                return false;
            case "CHARDELAY" or "CHARDELAY-SCALE" or "CHARDELAY-MIN" or "CHARDELAY-MAX":
                problem = "character delay batching is not supported (concentrator forwards device output as it arrives)";
                return false;
            case "TELNET-BRK-ON-SYNC":
                problem = "not supported: a telnet SYNC does not send a break";
                return false;
            case "REMCTL":
                port.Comments.Add("'remctl': RFC 2217 remote control");
                return true;
            default:
                problem = key switch
                {
                    "OPENSTR" or "CLOSESTR" or "CLOSEON" or "SIGNATURE" or "REMADDR" or "LED-RX" or "LED-TX" or "RS485" or "DTR" or "RTS" or "WRONLY" or "NOCON"
                        => "not supported by concentrator; ignored",
                    _ => "unknown option (not a ser2net option concentrator knows, nor a defined BANNER); ignored",
                };
                return false;
        }
    }

    /// <summary>The daemon trims a banner and ends it with CR LF itself; say so when that changes the text.</summary>
    internal static void NoteBannerTrim(ImportedPort port)
    {
        if (port.Banner is { } b && b.Trim() != b)
        {
            port.Comments.Add("banner: leading/trailing blank lines dropped (concentrator ends the banner with CR LF itself)");
        }
    }

    private static string ParityName(char c) => char.ToUpperInvariant(c) switch
    {
        'E' => "even",
        'O' => "odd",
        'M' => "mark",
        'S' => "space",
        _ => "none",
    };

    /// <summary>
    /// Expands ser2net's string escapes that are fixed per port (\r \n \t \xHH \nnn \d \p \s \B \o); per-connection
    /// ones (time, remote address) cannot be computed in advance: they are kept literally and reported.
    /// </summary>
    internal static string ExpandEscapes(string text, ImportedPort port, Action<string> warn)
    {
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '\\' || i + 1 >= text.Length)
            {
                sb.Append(c);
                continue;
            }

            var e = text[++i];
            switch (e)
            {
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case '\\' or '?' or '\'' or '"': sb.Append(e); break;
                case 'd': sb.Append(port.Device); break;
                case 'p': sb.Append(port.TcpPort.ToString(CultureInfo.InvariantCulture)); break;
                case 's' or 'B': sb.Append(port.SerialParams); break;
                case 'o': sb.Append(port.Name); break;
                case 'x' when i + 2 < text.Length + 1 && i + 1 < text.Length && Uri.IsHexDigit(text[i + 1]):
                {
                    var len = i + 2 < text.Length && Uri.IsHexDigit(text[i + 2]) ? 2 : 1;
                    sb.Append((char)System.Convert.ToInt32(text.Substring(i + 1, len), 16));
                    i += len;
                    break;
                }

                case >= '0' and <= '7':
                {
                    var len = 1;
                    while (len < 3 && i + len < text.Length && text[i + len] is >= '0' and <= '7')
                    {
                        len++;
                    }

                    sb.Append((char)System.Convert.ToInt32(text.Substring(i, len), 8));
                    i += len - 1;
                    break;
                }

                default:
                    warn($"escape '\\{e}' is per connection (time, remote address) and cannot be expanded in a static banner; kept literally");
                    sb.Append('\\').Append(e);
                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary>Collects ports and warnings; gives unique names; prints the HOCON.</summary>
    internal sealed class Context(string source)
    {
        private readonly List<ImportedPort> _ports = [];
        private readonly List<string> _warnings = [];

        public string Source { get; } = Path.GetFileName(source);

        public void Warn(int line, string message) =>
            _warnings.Add(line > 0 ? $"{Source}:{line}: {message}" : $"{Source}: {message}");

        public void Add(ImportedPort port)
        {
            var baseName = port.Name;
            if (_ports.Any(p => p.Name == baseName))
            {
                port.Name = string.Create(CultureInfo.InvariantCulture, $"{baseName}-{port.TcpPort}");
            }

            var n = 2;
            while (_ports.Any(p => p.Name == port.Name))
            {
                port.Name = string.Create(CultureInfo.InvariantCulture, $"{baseName}-{port.TcpPort}-{n++}");
            }

            var sameDevice = _ports.FirstOrDefault(p => p.Enabled && port.Enabled && p.Device == port.Device);
            if (sameDevice is not null)
            {
                port.Enabled = false;
                Warn(0, $"port {port.TcpPort}: device {port.Device} is already served by '{sameDevice.Name}' (TCP {sameDevice.TcpPort}); " +
                    $"concentrator serves a device once (add a listener to '{sameDevice.Name}' instead); imported commented out");
            }

            _ports.Add(port);
        }

        public ImportResult Finish(string kind)
        {
            var enabled = _ports.Count(p => p.Enabled);
            if (enabled == 0)
            {
                Warn(0, "no port could be imported; the output does not serve anything");
            }

            var sb = new StringBuilder();
            sb.AppendLine(CultureInfo.InvariantCulture, $"# Imported from {Source} ({kind}) by concentrator import-ser2net.");
            if (_warnings.Count > 0)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"# {_warnings.Count} item(s) could not be mapped: listed on stderr.");
            }

            sb.AppendLine("concentrator {");
            sb.AppendLine("  ports {");
            for (var i = 0; i < _ports.Count; i++)
            {
                if (i > 0)
                {
                    sb.AppendLine();
                }

                _ports[i].WriteHocon(sb);
            }

            sb.AppendLine("  }");
            sb.AppendLine("}");
            return new ImportResult(sb.ToString(), _warnings, enabled);
        }
    }
}
