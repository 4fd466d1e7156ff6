using System.Globalization;

namespace Concentrator.Client.Import;

/// <summary>
/// Converts conserver.cf console definitions (conserver.cf(5)) to concentrator HOCON. conserver's clients reach every
/// console through the one conserver port; here each console gets a telnet listener of its own, numbered from a base
/// port, asking for a password (conserver authenticated its users). Defaults (<c>default * / NAME</c>, <c>include</c>),
/// <c>portbase + portinc * port</c> and <c>devicesubst</c> are evaluated as conserver does; what has no equivalent is
/// a warning. Pure: text in, text out.
/// </summary>
public static class ConserverImporter
{
    /// <summary>The users file the imported listeners' passwords are checked against.</summary>
    public const string UsersFile = "users.conf";

    /// <exception cref="ImportFormatException">The syntax is broken: nothing is imported.</exception>
    public static ImportResult Convert(string text, string source, int basePort = 7001)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        var context = new ImportContext(source, "import-conserver");
        var state = new Definitions(context);
        var next = basePort;
        foreach (var block in ConserverConfig.Parse(text))
        {
            switch (block.Kind)
            {
                case "default":
                    state.Define(block);
                    break;
                case "group":
                    state.Groups[block.Name] = [.. block.Items.Where(i => i.Key == "users").SelectMany(i => i.Values)];
                    break;
                case "break":
                    context.Warn(block.Line, $"break {block.Name}: break sequences are not supported by concentrator; consoles naming it are reported");
                    break;
                case "access":
                    state.ReadAccess(block);
                    break;
                case "config":
                    foreach (var item in block.Items)
                    {
                        context.Warn(item.Line, $"config {block.Name}: '{item.Key}' (a conserver daemon option) has no equivalent; ignored");
                    }

                    break;
                case "console":
                    var port = ConserverConsole.Import(block, state.ItemsFor(block), state, next);
                    if (port is not null)
                    {
                        next++;
                        context.Add(port);
                    }

                    break;
                default:
                    context.Warn(block.Line, $"'{block.Kind} {block.Name}': unknown block; ignored");
                    break;
            }
        }

        foreach (var port in context.Ports.Where(_ => state.Allowed.Count > 0))
        {
            // The listeners are bound to loopback: without it in the allow list nobody could connect at all.
            port.Allow.AddRange(["127.0.0.0/8", .. state.Allowed]);
        }

        if (context.Ports.Count > 0)
        {
            context.Warn(0, $"conserver authenticated users with conserver.passwd or PAM; the listeners ask for passwords from {UsersFile}: " +
                $"create each user with `concentrator passwd --users-file {UsersFile} NAME` (hashes cannot be carried over)");
            context.Preamble.Add($"security {{ users-file = {Hocon.Quote(UsersFile)} }}");
        }

        return context.Finish("conserver.cf");
    }

    /// <summary>The named defaults, the current <c>default *</c>, groups and access lists, in file order.</summary>
    internal sealed class Definitions(ImportContext context)
    {
        private readonly Dictionary<string, List<ConserverItem>> _defaults = new(StringComparer.Ordinal);
        private List<ConserverItem> _star = [];

        public ImportContext Context { get; } = context;

        public Dictionary<string, List<string>> Groups { get; } = new(StringComparer.Ordinal);

        public List<string> Allowed { get; } = [];

        public void Define(ConserverBlock block)
        {
            var items = Expand(block.Items);
            if (block.Name == "*")
            {
                _star = items; // each 'default *' replaces the one before, for the consoles after it
            }
            else
            {
                _defaults[block.Name] = items;
            }
        }

        /// <summary>A console's items: the current 'default *' first, then its own, includes expanded in place.</summary>
        public List<ConserverItem> ItemsFor(ConserverBlock console) => [.. _star, .. Expand(console.Items)];

        private List<ConserverItem> Expand(IEnumerable<ConserverItem> items)
        {
            var result = new List<ConserverItem>();
            foreach (var item in items)
            {
                if (item.Key != "include")
                {
                    result.Add(item);
                }
                else if (_defaults.TryGetValue(item.Text, out var included))
                {
                    result.AddRange(included);
                }
                else
                {
                    Context.Warn(item.Line, $"include {item.Text}: no default of that name before this line; ignored");
                }
            }

            return result;
        }

        public void ReadAccess(ConserverBlock block)
        {
            if (block.Name != "*")
            {
                Context.Warn(block.Line, $"access {block.Name}: access lists for other conserver hosts do not apply here; ignored");
                return;
            }

            foreach (var item in block.Items)
            {
                foreach (var value in item.Values)
                {
                    if (item.Key == "allowed" && IsNetwork(value))
                    {
                        Allowed.Add(value.Contains('/', StringComparison.Ordinal) ? value : value + "/32");
                    }
                    else if (item.Key == "allowed")
                    {
                        Context.Warn(item.Line, $"access *: allowed {value}: host names cannot be allowed (addresses and networks only); left out");
                    }
                    else
                    {
                        Context.Warn(item.Line, $"access *: {item.Key} {value}: no equivalent ('trusted' skipped conserver's password; " +
                            "here every listener asks); ignored");
                    }
                }
            }
        }

        private static bool IsNetwork(string value)
        {
            var slash = value.IndexOf('/', StringComparison.Ordinal);
            var address = slash < 0 ? value : value[..slash];
            return System.Net.IPAddress.TryParse(address, out _)
                && (slash < 0 || int.TryParse(value[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out _));
        }
    }
}
