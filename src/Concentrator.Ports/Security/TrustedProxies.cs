using System.Net;

namespace Concentrator.Ports.Security;

/// <summary>
/// <c>concentrator.api.trusted-proxies</c>: the peers whose forwarding headers (X-Forwarded-For, X-Forwarded-Proto,
/// Forwarded) say who the client is. Anyone else's are ignored. Value equality, so a reload sees an unchanged list.
/// </summary>
public sealed class TrustedProxies : IEquatable<TrustedProxies>
{
    public TrustedProxies(IReadOnlyList<IPNetwork> networks) => Networks = networks;

    /// <summary>No proxy is trusted: forwarding headers are never honoured.</summary>
    public static TrustedProxies None { get; } = new([]);

    public IReadOnlyList<IPNetwork> Networks { get; }

    public bool IsEmpty => Networks.Count == 0;

    /// <summary>Whether <paramref name="peer"/> (an IPv4-mapped address counts as IPv4) is one of them.</summary>
    public bool Contains(IPAddress? peer)
    {
        if (peer is null || Networks.Count == 0)
        {
            return false;
        }

        var address = SourceAddress.Normalize(peer);
        return Networks.Any(n => n.Contains(address));
    }

    public override string ToString() => IsEmpty ? "none" : string.Join(", ", Networks);

    public bool Equals(TrustedProxies? other) => other is not null && Networks.SequenceEqual(other.Networks);

    public override bool Equals(object? obj) => Equals(obj as TrustedProxies);

    public override int GetHashCode() => Networks.Count;
}
