using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

using Concentrator.Client.Import;

namespace Concentrator.Client.Ser2net;


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
        var context = new ImportContext(source, "import-ser2net");
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

    private static void ImportClassic(string text, ImportContext context)
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
}
