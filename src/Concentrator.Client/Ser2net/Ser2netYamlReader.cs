using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Concentrator.Client.Ser2net;

/// <summary>
/// Reads a ser2net.yaml into <see cref="YamlNode"/>s with YamlDotNet's event parser, a port of libyaml, which
/// ser2net itself reads its config with. The event level rather than YamlDotNet's object model or deserializer,
/// because ser2net configs repeat <c>connection:</c> in one mapping, which those reject. Aliases are resolved
/// here; anchors stay defined across <c>---</c> documents.
/// </summary>
internal sealed class Ser2netYamlReader
{
    /// <summary>ser2net configs nest three levels deep; the limit only stops hostile input from overflowing the stack.</summary>
    private const int MaxDepth = 64;

    private readonly Scanner _scanner;
    private readonly Parser _parser;
    private readonly string _text;
    private readonly string _source;
    private readonly Dictionary<string, YamlNode> _anchors = new(StringComparer.Ordinal);

    private Ser2netYamlReader(string text, string source)
    {
        _scanner = new Scanner(new StringReader(text));
        _parser = new Parser(_scanner);
        _text = text;
        _source = source;
    }

    /// <summary>The entries of every document's top-level mapping, in file order.</summary>
    /// <param name="text">The YAML text.</param>
    /// <param name="source">The file name errors are reported against.</param>
    /// <exception cref="Ser2netFormatException">The text is not YAML, or not a mapping at the top level.</exception>
    public static IReadOnlyList<YamlEntry> ReadTopLevel(string text, string source)
    {
        var reader = new Ser2netYamlReader(text, source);
        try
        {
            return reader.ReadStream();
        }
        catch (YamlException e)
        {
            throw reader.Broken(e);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 18.1.0 fails this way instead of with a YamlException on some broken input: "a: {b" then a
            // line starting with '%', or a tag such as "!![". The token it choked on, else where its scanner stopped.
            throw reader.Broken(reader._scanner.Current?.Start ?? reader._scanner.CurrentPosition, "not valid YAML near here");
        }
    }

    private List<YamlEntry> ReadStream()
    {
        var entries = new List<YamlEntry>();
        _parser.Consume<StreamStart>();
        while (!_parser.TryConsume<StreamEnd>(out _))
        {
            _parser.Consume<DocumentStart>();
            var rootStart = _parser.Current!.Start;
            var root = ReadNode(0);
            if (root.Entries is not null)
            {
                entries.AddRange(root.Entries);
            }
            else if (root is not { Scalar: "", Anchor: null })
            {
                // An empty document (a trailing '---') is fine; a lone scalar or a list is not a ser2net config.
                throw Broken(rootStart, "expected 'key: value' entries at the top level (connection:, define:, ...)");
            }

            _parser.Consume<DocumentEnd>();
        }

        return entries;
    }

    private YamlNode ReadNode(int depth)
    {
        var start = _parser.Current!.Start;
        if (depth > MaxDepth)
        {
            throw Broken(start, $"nested more than {MaxDepth} levels deep");
        }

        if (_parser.TryConsume<AnchorAlias>(out var alias))
        {
            return _anchors.TryGetValue(alias.Value.Value, out var target)
                ? target
                : throw Broken(start, $"alias '*{alias.Value.Value}' is not defined before this point (define it with '&{alias.Value.Value}' first)");
        }

        if (_parser.TryConsume<Scalar>(out var scalar))
        {
            return Remember(new YamlNode(scalar.Value, null, null, AnchorOf(scalar)));
        }

        if (_parser.TryConsume<SequenceStart>(out var sequence))
        {
            var items = new List<YamlNode>();
            while (!_parser.TryConsume<SequenceEnd>(out _))
            {
                items.Add(ReadNode(depth + 1));
            }

            return Remember(new YamlNode(null, null, items, AnchorOf(sequence)));
        }

        var mapping = _parser.Consume<MappingStart>();
        var entries = new List<YamlEntry>();
        while (!_parser.TryConsume<MappingEnd>(out _))
        {
            var keyStart = _parser.Current!.Start;
            var key = ReadNode(depth + 1).Scalar ?? throw Broken(keyStart, "a mapping key must be text, not a list or a mapping");
            entries.Add(new YamlEntry(key, ReadNode(depth + 1), (int)keyStart.Line));
        }

        return Remember(new YamlNode(null, entries, null, AnchorOf(mapping)));
    }

    private static string? AnchorOf(NodeEvent node) => node.Anchor.IsEmpty ? null : node.Anchor.Value;

    /// <summary>Registers a finished anchored node; a later anchor of the same name replaces it, as in YAML.</summary>
    private YamlNode Remember(YamlNode node)
    {
        if (node.Anchor is not null)
        {
            _anchors[node.Anchor] = node;
        }

        return node;
    }

    private Ser2netFormatException Broken(Mark at, string reason) =>
        new(_source, (int)at.Line, (int)at.Column, reason);

    /// <summary>YamlDotNet's own message, with the position of the culprit where its mark points elsewhere.</summary>
    private Ser2netFormatException Broken(YamlException e)
    {
        var reason = e.Message.TrimEnd('.');
        if (reason.Contains("tab", StringComparison.OrdinalIgnoreCase) && FindIndentingTab((int)e.Start.Line) is var (line, column))
        {
            // YamlDotNet marks the start of the enclosing mapping or scalar, which can be lines above the tab.
            return new(_source, line, column, "tabs are not allowed for indentation in YAML; indent with spaces");
        }

        if (reason.Contains("unknown escape", StringComparison.Ordinal))
        {
            reason += @" (inside double quotes ser2net's own escapes are written with two backslashes, e.g. ""\\d"", or use single quotes)";
        }

        return Broken(e.Start, reason);
    }

    /// <summary>The first tab in a line's leading whitespace, from line <paramref name="fromLine"/> (1-based) on.</summary>
    private (int Line, int Column)? FindIndentingTab(int fromLine)
    {
        var lines = _text.Split('\n');
        for (var i = Math.Max(fromLine, 1) - 1; i < lines.Length; i++)
        {
            var indent = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
            var tab = lines[i].IndexOf('\t', 0, indent);
            if (tab >= 0)
            {
                return (i + 1, tab + 1);
            }
        }

        return null;
    }
}
