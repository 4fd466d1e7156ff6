namespace Concentrator.Leases.Domain;

/// <summary>
/// What an acquire asks for: one port by name, or any port that has all of a set of tags. Tags are kept distinct and
/// sorted, so two requests for the same set share one queue whatever order they named the tags in.
/// </summary>
public sealed record LeaseTarget
{
    private LeaseTarget(string? port, IReadOnlyList<string> tags)
    {
        Port = port;
        Tags = tags;
        Key = port is not null ? "port " + port : "tags " + LeaseText.List(tags);
    }

    public string? Port { get; }

    public IReadOnlyList<string> Tags { get; }

    /// <summary>Names the queue: requests with the same key wait in one bounded queue. Also how answers name the target.</summary>
    public string Key { get; }

    public static LeaseTarget Named(string port) => new(port, []);

    public static LeaseTarget Tagged(IEnumerable<string> tags) =>
        new(null, [.. tags.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);

    public bool Matches(LeasablePort port) => Port is not null
        ? string.Equals(port.Name, Port, StringComparison.Ordinal)
        : Tags.All(t => port.Tags.Contains(t, StringComparer.Ordinal));

    public bool Equals(LeaseTarget? other) => other is not null && other.Key == Key;

    public override int GetHashCode() => Key.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Key;
}
