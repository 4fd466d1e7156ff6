using System.Globalization;
using System.Text;
using Concentrator.Client.Import;
using Xunit.Abstractions;

namespace Concentrator.Client.Tests;

/// <summary>
/// import-conserver and import-conman against a model: random consoles are written out the many ways each syntax
/// allows (quoting, case, continuations, comments, white space, defaults and includes), imported, and compared with
/// what the model says each console is. Seeds are printed; replay one with IMPORT_SEED=N.
/// </summary>
public sealed class ImportModelTests(ITestOutputHelper output)
{
    private sealed record Console(string Name, string Device, int Baud);

    [Fact]
    public void Conman_consoles_survive_every_way_of_writing_them()
    {
        ForEachSeed(300, random =>
        {
            var consoles = RandomConsoles(random, conserver: false);
            var text = new StringBuilder(Noise(random));
            text.Append(CultureInfo.InvariantCulture, $"server loopback={(random.Next(2) == 0 ? "on" : "off")}\n");
            foreach (var c in consoles)
            {
                var dev = c.Device.StartsWith("telnet://", StringComparison.Ordinal) ? c.Device["telnet://".Length..]
                    : c.Device.StartsWith("exec:", StringComparison.Ordinal) ? c.Device["exec:".Length..] : c.Device;
                var pairs = new List<string> { $"name={Quote(random, c.Name)}", $"dev={Quote(random, dev)}" };
                if (c.Device.StartsWith("/dev/", StringComparison.Ordinal))
                {
                    pairs.Add($"seropts={Quote(random, c.Baud.ToString(CultureInfo.InvariantCulture) + ",8n1")}");
                }

                Shuffle(random, pairs);
                text.Append(Case(random, "console"));
                foreach (var pair in pairs)
                {
                    var eq = pair.IndexOf('=', StringComparison.Ordinal);
                    text.Append(random.Next(4) == 0 ? " \\\n   " : new string(' ', random.Next(1, 3)));
                    text.Append(Case(random, pair[..eq])).Append(pair[eq..]);
                }

                text.Append(random.Next(3) == 0 ? "   # a comment \"with quotes'\n" : "\n").Append(Noise(random));
            }

            var result = ConmanImporter.Convert(text.ToString(), "conman.conf");
            Check(consoles, result, text.ToString());
        });
    }

    [Fact]
    public void Conserver_consoles_survive_every_way_of_writing_them()
    {
        ForEachSeed(300, random =>
        {
            var consoles = RandomConsoles(random, conserver: true);
            var text = new StringBuilder(Noise(random, conserver: true));
            var portBase = random.Next(0, 3000);
            var portInc = random.Next(1, 101);
            text.Append(CultureInfo.InvariantCulture, $"default ts {{ type host;{Gap(random)}portbase {portBase}; portinc {portInc}; }}\n");
            text.Append(CultureInfo.InvariantCulture, $"default * {{ baud 9600; }}\n");
            for (var at = 0; at < consoles.Count; at++)
            {
                var c = consoles[at];
                string? host = null;
                var index = 0;
                if (c.Device.StartsWith("telnet://", StringComparison.Ordinal))
                {
                    var hostPort = c.Device["telnet://".Length..].Split(':');
                    var final = int.Parse(hostPort[1], CultureInfo.InvariantCulture);
                    // Only ports the formula reaches are modelled: choose 'port' so that base + inc * port = final.
                    index = (final - portBase) / portInc;
                    var address = $"telnet://{hostPort[0]}:{portBase + (portInc * index)}";
                    // Two consoles on one upstream address would be one device, which the import serves once: a plain device then.
                    host = consoles.Any(other => other.Device == address) ? null : hostPort[0];
                    consoles[at] = c = c with { Device = host is null ? $"/dev/ttyDup{at}" : address };
                }

                List<string> items = host is not null
                    ? ["include ts", $"host {Word(random, host)}", $"port {index}"]
                    : c.Device.StartsWith("exec:", StringComparison.Ordinal)
                        ? ["type exec", $"exec {Word(random, c.Device["exec:/bin/sh -ce \"".Length..^1])}"]
                        : ["type device", $"device {Word(random, c.Device)}", $"baud {c.Baud}"];

                text.Append(CultureInfo.InvariantCulture, $"console{Gap(random)}{Word(random, c.Name)}{Gap(random)}{{");
                foreach (var item in items)
                {
                    text.Append(Gap(random)).Append(item).Append(';');
                }

                text.Append(Gap(random)).Append("}\n").Append(Noise(random, conserver: true));
            }

            var result = ConserverImporter.Convert(text.ToString(), "conserver.cf");
            Check(consoles, result, text.ToString());
        });
    }

    private static void Check(List<Console> consoles, ImportResult result, string text)
    {
        var loaded = Concentrator.Ports.Configuration.ConfigLoader.Load(
            result.Hocon.Replace("security { users-file = \"users.conf\" }", "", StringComparison.Ordinal)
                .Replace(", auth = password", "", StringComparison.Ordinal), "imported.conf", ".");
        Assert.True(loaded.IsValid, $"{string.Join("\n", loaded.Errors)}\n--- from ---\n{text}\n--- hocon ---\n{result.Hocon}");
        var ports = loaded.Settings!.Ports;
        Assert.True(consoles.Count == ports.Count, $"{consoles.Count} consoles, {ports.Count} ports\n--- from ---\n{text}");
        for (var i = 0; i < consoles.Count; i++)
        {
            Assert.Equal(consoles[i].Name, ports[i].Name);
            Assert.Equal(consoles[i].Device, ports[i].Device);
            Assert.Equal(consoles[i].Device.StartsWith("/dev/", StringComparison.Ordinal) ? consoles[i].Baud : 9600, ports[i].Line.BaudRate);
            Assert.Equal(7001 + i, Assert.Single(ports[i].Listeners).Port);
        }
    }

    private static List<Console> RandomConsoles(Random random, bool conserver)
    {
        var consoles = new List<Console>();
        var count = random.Next(1, 7);
        int[] bauds = [1200, 9600, 19200, 38400, 57600, 115200, 921600];
        for (var i = 0; i < count; i++)
        {
            var name = $"c{i}_{(char)('a' + random.Next(26))}{random.Next(100)}";
            var device = random.Next(3) switch
            {
                0 => $"/dev/tty{(char)('A' + random.Next(26))}{i}",
                1 => $"telnet://ts-{random.Next(10)}.lab:{random.Next(3000, 9000)}",
                _ => conserver ? $"exec:/bin/sh -ce \"/usr/bin/ssh -tt host{i}\"" : $"exec:/usr/bin/ssh -tt host{i}",
            };
            consoles.Add(new Console(name, device, bauds[random.Next(bauds.Length)]));
        }

        return consoles;
    }

    private static string Quote(Random random, string value) => random.Next(3) switch
    {
        0 when value.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_') && !char.IsAsciiDigit(value[0]) => value,
        1 => $"'{value}'",
        _ => $"\"{value}\"",
    };

    /// <summary>A conserver value: bare when it has no white space or punctuation, quoted otherwise.</summary>
    private static string Word(Random random, string value) =>
        value.Any(ch => char.IsWhiteSpace(ch) || ch is ';' or '{' or '}' or '#' or '"' or ',') || random.Next(2) == 0
            ? "\"" + value.Replace("\"", "\\\"", StringComparison.Ordinal) + "\""
            : value;

    private static string Case(Random random, string word) => random.Next(3) switch
    {
        0 => word.ToUpperInvariant(),
        1 => char.ToUpperInvariant(word[0]) + word[1..],
        _ => word,
    };

    private static string Gap(Random random) => random.Next(4) switch
    {
        0 => "\n\t",
        1 => "  # note; with { braces }\n ",
        _ => " ",
    };

    private static string Noise(Random random, bool conserver = false) => random.Next(4) switch
    {
        0 => "\n",
        1 => "# comment: console name=\"x\" dev=\"y\" { ; }\n",
        2 when conserver => "break 5 { string \"\\033c\"; }\n",
        _ => "",
    };

    private static void Shuffle(Random random, List<string> items)
    {
        for (var i = items.Count - 1; i > 1; i--)
        {
            var j = random.Next(1, i + 1); // name stays first: ConMan's docs write it first, and names the console by it
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private void ForEachSeed(int defaultCount, Action<Random> run) =>
        SeededSchedules.Run("IMPORT", defaultCount, output.WriteLine, seed => run(new Random(seed)));
}
