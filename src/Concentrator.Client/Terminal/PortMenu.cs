using System.Globalization;
using System.Text;

namespace Concentrator.Client.Terminal;

/// <summary>One entry of the SSH port menu, as the daemon lists it: name, access ("read-write"/"read-only"), tags.</summary>
public sealed record PortMenuEntry(string Name, string Access, IReadOnlyList<string> Tags)
{
    /// <summary>The daemon's list, one "name TAB access TAB tag,tag" line per port; malformed lines are skipped.</summary>
    public static IReadOnlyList<PortMenuEntry> ParseList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.TrimEnd('\r').Split('\t'))
            .Where(f => f.Length == 3 && f[0].Length > 0)
            .Select(f => new PortMenuEntry(f[0], f[1], f[2].Split(',', StringSplitOptions.RemoveEmptyEntries)))];
    }
}

/// <summary>What one line typed at the menu means.</summary>
public abstract record PortMenuChoice
{
    public sealed record Open(string Port) : PortMenuChoice;

    public sealed record Filter(string? Tag) : PortMenuChoice;

    public sealed record Quit : PortMenuChoice;

    public sealed record Invalid(string Reason) : PortMenuChoice;
}

/// <summary>
/// The port menu of <c>ssh -t console@host</c>: the ports the user may open, numbered, optionally only those with one
/// tag. A line typed at it is a number or a port name (open it), "/TAG" (show only ports tagged TAG), "/" (show all)
/// or "q" (leave). Pure: the terminal around it is <c>ssh-entry</c>'s, in its line mode (so "\n" is a new line there).
/// </summary>
public sealed class PortMenu(IReadOnlyList<PortMenuEntry> ports)
{
    public string? Tag { get; private set; }

    /// <summary>The ports shown, in order: numbers refer to this list.</summary>
    public IReadOnlyList<PortMenuEntry> Shown => Tag is null ? ports : [.. ports.Where(p => p.Tags.Contains(Tag, StringComparer.Ordinal))];

    public string Render()
    {
        var text = new StringBuilder();
        var shown = Shown;
        text.Append(CultureInfo.InvariantCulture, $"\nconcentrator: {shown.Count} port(s){(Tag is null ? "" : $" tagged {Tag}")}\n");
        var width = shown.Count == 0 ? 0 : shown.Max(p => p.Name.Length);
        for (var i = 0; i < shown.Count; i++)
        {
            var p = shown[i];
            text.Append(CultureInfo.InvariantCulture, $"  {i + 1,3}) {p.Name.PadRight(width)}  {p.Access,-10}  {string.Join(',', p.Tags)}\n");
        }

        var tags = ports.SelectMany(p => p.Tags).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (tags.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"tags: {string.Join(' ', tags)}\n");
        }

        return text.Append("number or name to open, /TAG to filter, / for all, q to quit: ").ToString();
    }

    /// <summary>Reads one typed line; a filter is applied at once.</summary>
    public PortMenuChoice Choose(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var input = line.Trim();
        if (input is "q" or "quit" or "exit")
        {
            return new PortMenuChoice.Quit();
        }

        if (input.StartsWith('/'))
        {
            Tag = input.Length > 1 ? input[1..].Trim() : null;
            return new PortMenuChoice.Filter(Tag);
        }

        var shown = Shown;
        if (int.TryParse(input, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number >= 1 && number <= shown.Count
                ? new PortMenuChoice.Open(shown[number - 1].Name)
                : new PortMenuChoice.Invalid($"no port number {number}");
        }

        return ports.FirstOrDefault(p => p.Name == input) is { } byName
            ? new PortMenuChoice.Open(byName.Name)
            : new PortMenuChoice.Invalid(input.Length == 0 ? "type a number or a name" : $"no port named '{input}' for you");
    }
}
