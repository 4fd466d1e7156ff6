using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Concentrator.Client.Import;

/// <summary>
/// Converts conman.conf (conman.conf(5)) to concentrator HOCON: each <c>console name=… dev=…</c> becomes a port with a
/// telnet listener of its own, numbered from a base port (ConMan's clients reach every console through the one daemon
/// port). Local devices take <c>seropts</c>, <c>host:port</c> is a telnet upstream, <c>path args</c> a program;
/// <c>server</c> and <c>global</c> keys that have no equivalent are warnings. Pure: text in, text out.
/// </summary>
public static partial class ConmanImporter
{
    /// <exception cref="ImportFormatException">A string is not closed: nothing is imported.</exception>
    public static ImportResult Convert(string text, string source, int basePort = 7001)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        var context = new ImportContext(source, "import-conman");
        var directives = Directives(text);
        var server = new Dictionary<string, string>(StringComparer.Ordinal);
        var global = new Dictionary<string, string>(StringComparer.Ordinal) { ["seropts"] = "9600,8n1" };
        foreach (var (line, kind, pairs) in directives)
        {
            if (kind is "server" or "global")
            {
                foreach (var (key, value) in pairs)
                {
                    (kind == "server" ? server : global)[key] = value;
                }
            }
            else if (kind != "console")
            {
                context.Warn(line, $"'{kind}': unknown directive (expected server, global, console); ignored");
            }
        }

        var bind = server.GetValueOrDefault("loopback") is "on" ? "127.0.0.1" : "0.0.0.0";
        foreach (var (key, value) in server)
        {
            if (key is not ("loopback" or "logdir" or "port"))
            {
                context.Warn(0, $"server {key}={value}: a ConMan daemon option with no equivalent; ignored");
            }
        }

        var next = basePort;
        foreach (var (line, kind, pairs) in directives.Where(d => d.Kind == "console"))
        {
            var console = new Dictionary<string, string>(global, StringComparer.Ordinal);
            foreach (var (key, value) in pairs)
            {
                console[key] = value;
            }

            var port = Console(console, line, bind, server.GetValueOrDefault("logdir"), next, context);
            if (port is not null)
            {
                context.Add(port);
                next++;
            }
        }

        return context.Finish("conman.conf");
    }

    private static ImportedPort? Console(Dictionary<string, string> c, int line, string bind, string? logDir, int tcpPort, ImportContext context)
    {
        if (!c.TryGetValue("name", out var name) || !c.TryGetValue("dev", out var dev) || name.Length == 0 || dev.Length == 0)
        {
            context.Warn(line, "console without name=\"…\" and dev=\"…\"; not imported");
            return null;
        }

        dev = dev.Replace("%N", name, StringComparison.Ordinal);
        string? device = dev switch
        {
            _ when dev.StartsWith("ipmi:", StringComparison.Ordinal) => null,
            _ when dev.StartsWith("unix:", StringComparison.Ordinal) => null,
            _ when IsDeviceFile(dev) => dev,
            _ when HostPort().IsMatch(dev) => "telnet://" + dev,
            _ => "exec:" + dev,
        };
        if (device is null)
        {
            context.Warn(line, $"console {name}: dev=\"{dev}\": " + (dev.StartsWith("ipmi:", StringComparison.Ordinal)
                ? "IPMI SOL through FreeIPMI: use device = \"exec:ipmitool -I lanplus -H HOST -U USER -f PASSWORD-FILE sol activate\" (the password must move to a file); not imported"
                : "a Unix domain socket console has no equivalent; not imported"));
            return null;
        }

        var port = new ImportedPort { Name = name, Device = device, TcpPort = tcpPort, Bind = bind, Protocol = "telnet", MaxSessions = 16 };
        port.Comments.Add($"{context.Source}:{line}: console {name} dev={dev}");
        if (device == dev)
        {
            ApplySerialOptions(c.GetValueOrDefault("seropts", "9600,8n1"), port, w => context.Warn(line, $"console {name}: seropts: {w}"));
        }

        if (c.TryGetValue("log", out var log) && log.Length > 0)
        {
            if (log.Contains("%D", StringComparison.Ordinal))
            {
                context.Warn(line, $"console {name}: log=\"{log}\": %D (the device) is written out");
                log = log.Replace("%D", Path.GetFileName(dev), StringComparison.Ordinal);
            }

            log = log.Replace("%N", "{port}", StringComparison.Ordinal).Replace("%%", "%", StringComparison.Ordinal);
            port.LogFile = log.StartsWith('/') || logDir is null ? log : Path.Combine(logDir, log);
        }

        foreach (var option in c.GetValueOrDefault("logopts", "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (option == "timestamp")
            {
                port.LogTimestamps = true;
            }
            else if (option is not ("lock" or "nolock" or "nosanitize" or "notimestamp"))
            {
                context.Warn(line, $"console {name}: logopts {option}: no equivalent; ignored");
            }
        }

        foreach (var key in c.Keys.Where(k => k is not ("name" or "dev" or "log" or "logopts" or "seropts")))
        {
            context.Warn(line, $"console {name}: {key}=\"{c[key]}\": no equivalent; ignored");
        }

        return port;
    }

    /// <summary>
    /// ConMan tells a device from a program by looking at the file; so does this: a path under /dev, or an existing file
    /// nobody may execute (a symlink to a tty), without arguments.
    /// </summary>
    private static bool IsDeviceFile(string dev) =>
        !dev.Contains(' ', StringComparison.Ordinal)
        && (dev.StartsWith("/dev/", StringComparison.Ordinal)
            || (!OperatingSystem.IsWindows() && File.Exists(dev) && (File.GetUnixFileMode(dev) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0));

    /// <summary>"115200,8n1": baud, then data bits, parity (n/e/o) and stop bits.</summary>
    private static void ApplySerialOptions(string text, ImportedPort port, Action<string> warn)
    {
        var match = SerialOptions().Match(text.Trim());
        if (!match.Success)
        {
            warn($"'{text}' is not BAUD,8N1; 9600 8N1 used");
            return;
        }

        port.Baud = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        if (match.Groups[2].Success)
        {
            port.DataBits = match.Groups[2].Value[0] - '0';
            port.Parity = char.ToLowerInvariant(match.Groups[3].Value[0]) switch { 'e' => "even", 'o' => "odd", _ => "none" };
            port.StopBits = match.Groups[4].Value;
        }
    }

    [GeneratedRegex(@"^([0-9]+)(?:,([5-8])([neoNEO])([12]))?$")]
    private static partial Regex SerialOptions();

    [GeneratedRegex(@"^[A-Za-z0-9.\-\[\]:]+:[0-9]+$")]
    private static partial Regex HostPort();

    /// <summary>Directive lines: continuations joined, comments dropped, <c>key=value</c> pairs with quoted values.</summary>
    internal static List<(int Line, string Kind, List<(string Key, string Value)> Pairs)> Directives(string text)
    {
        var result = new List<(int, string, List<(string, string)>)>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var start = i + 1;
            var line = StripComment(lines[i]);
            while (line.EndsWith('\\') && i + 1 < lines.Length)
            {
                line = line[..^1] + " " + StripComment(lines[++i]);
            }

            var words = Words(line, start);
            if (words.Count == 0)
            {
                continue;
            }

            var pairs = new List<(string, string)>();
            foreach (var word in words.Skip(1))
            {
                var eq = word.IndexOf('=', StringComparison.Ordinal);
                pairs.Add(eq < 0 ? (word.ToLowerInvariant(), "") : (word[..eq].ToLowerInvariant(), word[(eq + 1)..]));
            }

            result.Add((start, words[0].ToLowerInvariant(), pairs));
        }

        return result;
    }

    /// <summary>A '#' outside quotes starts a comment.</summary>
    private static string StripComment(string line)
    {
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            if (quote is null && line[i] == '#')
            {
                return line[..i].TrimEnd();
            }

            if (line[i] is '"' or '\'')
            {
                quote = quote is null ? line[i] : quote == line[i] ? null : quote;
            }
        }

        return line.TrimEnd();
    }

    /// <summary>Words split on white space; a quoted part keeps its spaces and loses its quotes.</summary>
    private static List<string> Words(string line, int number)
    {
        var words = new List<string>();
        var sb = new StringBuilder();
        char? quote = null;
        var inWord = false;
        foreach (var c in line)
        {
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
                else
                {
                    sb.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(sb.ToString());
                    sb.Clear();
                    inWord = false;
                }
            }
            else
            {
                sb.Append(c);
                inWord = true;
            }
        }

        if (quote is not null)
        {
            throw new ImportFormatException($"line {number}: a string is not closed with {quote}");
        }

        if (inWord)
        {
            words.Add(sb.ToString());
        }

        return words;
    }
}
