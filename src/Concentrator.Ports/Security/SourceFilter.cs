using System.Net;

namespace Concentrator.Ports.Security;

/// <summary>
/// A listener's <c>allow</c> / <c>deny</c> CIDR lists, checked at accept before any session exists. Deny wins; with an
/// allow list, a source in none of its networks is refused. Value equality, so a reload sees an unchanged listener.
/// </summary>
public sealed class SourceFilter : IEquatable<SourceFilter>
{
    public SourceFilter(IReadOnlyList<IPNetwork> allow, IReadOnlyList<IPNetwork> deny)
    {
        Allow = allow;
        Deny = deny;
    }

    /// <summary>No lists: every source passes.</summary>
    public static SourceFilter None { get; } = new([], []);

    public IReadOnlyList<IPNetwork> Allow { get; }

    public IReadOnlyList<IPNetwork> Deny { get; }

    public bool IsEmpty => Allow.Count == 0 && Deny.Count == 0;

    /// <summary>Why <paramref name="source"/> is refused, or null when it may connect.</summary>
    public string? Refusal(IPAddress source)
    {
        var address = SourceAddress.Normalize(source);
        foreach (var network in Deny)
        {
            if (network.Contains(address))
            {
                return $"denied by {network}";
            }
        }

        if (Allow.Count > 0 && !Allow.Any(n => n.Contains(address)))
        {
            return "not in the allow list";
        }

        return null;
    }

    /// <summary>Parses "10.0.0.0/8", "2001:db8::/32", or a single address (a /32 or /128).</summary>
    public static bool TryParseNetwork(string text, out IPNetwork network, out string? problem)
    {
        problem = null;
        if (!text.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(text, out var single))
        {
            single = SourceAddress.Normalize(single);
            network = new IPNetwork(single, single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        // .NET accepts "10.1.2.3/8" as 10.0.0.0/8; a config that says so probably means something else: say so instead.
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (IPNetwork.TryParse(text, out network) && slash > 0 && IPAddress.TryParse(text[..slash], out var written) && written.Equals(network.BaseAddress))
        {
            return true;
        }

        problem = text.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(text[..text.IndexOf('/', StringComparison.Ordinal)], out _)
            ? "the address has bits set beyond the prefix length (e.g. write 10.0.0.0/8, not 10.1.2.3/8), or the length is out of range"
            : "expected a network such as 10.0.0.0/8, 192.168.1.7/32 or 2001:db8::/32";
        return false;
    }

    public override string ToString() =>
        (Allow.Count > 0 ? $"allow [{string.Join(", ", Allow)}]" : "") +
        (Allow.Count > 0 && Deny.Count > 0 ? " " : "") +
        (Deny.Count > 0 ? $"deny [{string.Join(", ", Deny)}]" : "");

    public bool Equals(SourceFilter? other) =>
        other is not null && Allow.SequenceEqual(other.Allow) && Deny.SequenceEqual(other.Deny);

    public override bool Equals(object? obj) => Equals(obj as SourceFilter);

    public override int GetHashCode() => HashCode.Combine(Allow.Count, Deny.Count);
}
