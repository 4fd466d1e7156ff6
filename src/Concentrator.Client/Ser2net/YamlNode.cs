namespace Concentrator.Client.Ser2net;

/// <summary>
/// A YAML node as the ser2net import reads it: exactly one of <see cref="Scalar"/> (text), <see cref="Entries"/>
/// (a mapping, in file order; keys may repeat, as ser2net's <c>connection:</c> does) or <see cref="Items"/>
/// (a sequence) is set. <see cref="Anchor"/> is the node's <c>&amp;name</c>, which ser2net uses as the connection name.
/// </summary>
internal sealed record YamlNode(string? Scalar, IReadOnlyList<YamlEntry>? Entries, IReadOnlyList<YamlNode>? Items, string? Anchor)
{
    /// <summary>The value of the first <paramref name="key"/> of a mapping; null when absent or not a mapping.</summary>
    public YamlNode? ValueOf(string key) => Entries?.FirstOrDefault(e => e.Key == key)?.Value;
}

/// <summary>One <c>key: value</c> of a mapping; <see cref="Line"/> is the key's line, for warnings.</summary>
internal sealed record YamlEntry(string Key, YamlNode Value, int Line);
