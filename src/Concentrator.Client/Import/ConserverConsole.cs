using System.Globalization;
using System.Text;

namespace Concentrator.Client.Import;

/// <summary>One conserver console's items, evaluated in order (a later item wins, rw/ro lists add up), made a port.</summary>
internal static class ConserverConsole
{
    // Items whose effect concentrator gives anyway or which only conserver's own client knows.
    private static readonly HashSet<string> Quiet = new(StringComparer.Ordinal) { "master", "aliases" };

    public static ImportedPort? Import(ConserverBlock block, List<ConserverItem> items, ConserverImporter.Definitions state, int tcpPort)
    {
        var context = state.Context;
        var values = new Dictionary<string, ConserverItem>(StringComparer.Ordinal);
        var rw = new List<(string Who, int Line)>();
        var ro = new List<(string Who, int Line)>();
        foreach (var item in items)
        {
            if (item.Key is "rw" or "ro")
            {
                var list = item.Key == "rw" ? rw : ro;
                if (item.Values is [""] or [])
                {
                    list.Clear(); // "" resets the list
                }

                list.AddRange(item.Values.Select(v => (v, item.Line)));
            }
            else
            {
                values[item.Key] = item;
            }
        }

        string? Get(string key) => values.TryGetValue(key, out var item) ? item.Text : null;
        int Line(string key) => values.TryGetValue(key, out var item) ? item.Line : block.Line;
        var type = Get("type") ?? "device";
        var portBase = Number(Get("portbase"), 0);
        var portInc = Number(Get("portinc"), 1);
        var configPort = Number(Get("port"), 0);
        var finalPort = portBase + (portInc * configPort);
        var host = Get("host") ?? "";
        var subst = new Substitution(block.Name, host, Get("replstring") ?? "", Number(Get("baud"), 9600), configPort, finalPort);

        string? device = type switch
        {
            "device" when Get("device") is { Length: > 0 } d => subst.Apply(d, Get("devicesubst")),
            "host" when host.Length > 0 && values.ContainsKey("port") =>
                (Get("protocol") == "raw" ? "tcp://" : "telnet://") + host + ":" + finalPort.ToString(CultureInfo.InvariantCulture),
            "exec" => "exec:/bin/sh -ce " + ShellWord(subst.Apply(Get("exec") is { Length: > 0 } e ? e : "/bin/sh -i", Get("execsubst"))),
            _ => null,
        };
        if (device is null)
        {
            context.Warn(block.Line, $"console {block.Name}: type '{type}' " + (type is "device" or "host" or "exec"
                ? "is missing its device / host and port; not imported"
                : "has no equivalent (uds, ipmi, noop); not imported"));
            return null;
        }

        var port = new ImportedPort { Name = block.Name, Device = device, TcpPort = tcpPort, Bind = "127.0.0.1", Protocol = "telnet" };
        port.Comments.Add($"{context.Source}:{block.Line}: console {block.Name} (type {type})");
        port.Comments.Add("conserver served its consoles over its own protocol: here a telnet listener; bind it off loopback with tls { } to reach it from other hosts");
        port.Auth = "password";
        port.MaxSessions = 16; // conserver: many spies, one writer
        port.WritePolicy = "exclusive";
        port.Baud = Number(Get("baud"), 9600);
        if (Get("parity") is { } parity)
        {
            port.Parity = parity is "none" or "even" or "odd" or "mark" or "space" ? parity : Warned(parity, "none");
        }

        foreach (var option in values.TryGetValue("options", out var o) ? o.Values : [])
        {
            ApplyOption(option, port, w => context.Warn(o!.Line, $"console {block.Name}: options {option}: {w}"));
        }

        if (Get("logfile") is { Length: > 0 } log)
        {
            port.LogFile = log.Replace("&", "{port}", StringComparison.Ordinal);
        }

        if (Get("motd") is { Length: > 0 } motd)
        {
            port.Banner = motd;
        }

        port.HasAcl = rw.Count + ro.Count > 0;
        AddPrincipals(rw, port.ReadWrite, block.Name, state);
        AddPrincipals(ro, port.ReadOnly, block.Name, state);
        foreach (var (key, item) in values)
        {
            if (!Mapped.Contains(key) && !Quiet.Contains(key) && item.Text.Length > 0) // "" only resets a value
            {
                context.Warn(item.Line, $"console {block.Name}: '{key} {item.Text}' has no equivalent; ignored");
            }
        }

        return port;

        string Warned(string value, string fallback)
        {
            context.Warn(Line("parity"), $"console {block.Name}: parity '{value}' unknown; {fallback} used");
            return fallback;
        }
    }

    private static readonly HashSet<string> Mapped = new(StringComparer.Ordinal)
    {
        "type", "device", "devicesubst", "host", "port", "portbase", "portinc", "protocol", "exec", "execsubst", "replstring",
        "baud", "parity", "options", "logfile", "motd",
    };

    private static void ApplyOption(string option, ImportedPort port, Action<string> warn)
    {
        var negated = option.StartsWith('!');
        switch (option.TrimStart('!'))
        {
            case "crtscts":
                port.FlowControl = negated ? "none" : "rtscts";
                break;
            case "ixon" or "ixoff":
                port.FlowControl = negated ? "none" : "xonxoff";
                break;
            case "cstopb":
                port.StopBits = negated ? "1" : "2";
                break;
            case "ondemand":
                break; // concentrator opens every device at start and keeps it open: always on demand and more
            default:
                warn("no equivalent; ignored");
                break;
        }
    }

    /// <summary>conserver's user lists: '*' anyone, a group name its members (our @group), '!name' an exclusion.</summary>
    private static void AddPrincipals(List<(string Who, int Line)> list, List<string> into, string console, ConserverImporter.Definitions state)
    {
        var excluded = list.Where(e => e.Who.StartsWith('!')).ToList();
        foreach (var (who, line) in excluded)
        {
            state.Context.Warn(line, $"console {console}: '{who}': an acl cannot exclude a user" +
                (list.Any(e => e.Who == "*") ? "; '*' is left out of this list so nobody gains access: name the users who keep it" : "; ignored"));
        }

        foreach (var (who, line) in list)
        {
            if (who.StartsWith('!') || (who == "*" && excluded.Count > 0))
            {
                continue; // "everyone but X" cannot be written: narrower, never wider
            }
            else if (state.Groups.TryGetValue(who, out var members))
            {
                into.Add("@" + who);
                state.Context.Warn(line, $"console {console}: group {who} is @{who} here: give its members ({string.Join(", ", members)}) " +
                    $"the group with `concentrator passwd --groups {who}`");
            }
            else if (who.Length > 0 && !into.Contains(who))
            {
                into.Add(who);
            }
        }
    }

    private static int Number(string? text, int fallback) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : fallback;

    /// <summary>The command as one quoted word of an exec: device (its argv allows double quotes).</summary>
    private static string ShellWord(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>devicesubst / execsubst: <c>c=t[n]f</c> replacements (conserver.cf(5)).</summary>
    private sealed record Substitution(string Console, string Host, string Repl, int Baud, int ConfigPort, int FinalPort)
    {
        public string Apply(string text, string? spec)
        {
            if (string.IsNullOrEmpty(spec))
            {
                return text;
            }

            foreach (var rule in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (rule.Length < 4 || rule[1] != '=')
                {
                    continue;
                }

                var width = rule[3..^1];
                var value = Format(rule[2], width, rule[^1]);
                if (value is not null)
                {
                    text = text.Replace(rule[0].ToString(), value, StringComparison.Ordinal);
                }
            }

            return text;
        }

        private string? Format(char type, string width, char format)
        {
            var n = int.TryParse(width, NumberStyles.None, CultureInfo.InvariantCulture, out var w) ? w : 0;
            var pad = width.StartsWith('0') ? '0' : ' ';
            string? text = type switch
            {
                'c' => Console,
                'h' => Host,
                'r' => Repl,
                'b' => Digits(Baud, format),
                'p' => Digits(ConfigPort, format),
                'P' => Digits(FinalPort, format),
                _ => null,
            };
            return text?.PadLeft(n, type is 'c' or 'h' or 'r' ? ' ' : pad);
        }

        private static string Digits(int value, char format)
        {
            var radix = format is 'x' or 'X' ? 16 : format is 'a' or 'A' ? 36 : 10;
            const string alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
            var v = (uint)value;
            var sb = new StringBuilder();
            do
            {
                sb.Insert(0, alphabet[(int)(v % (uint)radix)]);
                v /= (uint)radix;
            }
            while (v > 0);
            return format is 'X' or 'A' ? sb.ToString().ToUpperInvariant() : sb.ToString();
        }
    }
}
