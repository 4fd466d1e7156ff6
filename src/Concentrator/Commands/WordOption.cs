using System.CommandLine;

namespace Concentrator.Commands;

/// <summary>
/// An option that takes one word from a fixed list, each word standing for a value (<c>--parity even</c>). The
/// option itself holds the word, so help shows the words and the default as the user types them.
/// </summary>
internal sealed class WordOption<T>
{
    private readonly Dictionary<string, T> _values;

    public WordOption(string name, string description, string defaultWord, IEnumerable<KeyValuePair<string, T>> values)
    {
        _values = new Dictionary<string, T>(values, StringComparer.OrdinalIgnoreCase);
        Option = new Option<string>(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultWord,
        };
        Option.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, [.. _values.Keys]);
    }

    public Option<string> Option { get; }

    public T GetValue(ParseResult parse) => _values[parse.GetRequiredValue(Option)];
}
