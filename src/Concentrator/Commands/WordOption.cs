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

    /// <summary>An option over a shared vocabulary (e.g. <see cref="Devices.LineWords"/>), its default named by value.</summary>
    public WordOption(string name, string description, T defaultValue, IReadOnlyList<(string Word, T Value)> words)
        : this(name, description, words.First(w => EqualityComparer<T>.Default.Equals(w.Value, defaultValue)).Word,
            words.Select(w => KeyValuePair.Create(w.Word, w.Value)))
    {
    }

    public Option<string> Option { get; }

    public T GetValue(ParseResult parse) => _values[parse.GetRequiredValue(Option)];
}
