using System.Net;
using Concentrator.Ports.Admission;

namespace Concentrator.Leases.Domain;

/// <summary>A lease in force. Immutable: a renewal is a new value with a later deadline.</summary>
/// <param name="Id">The lease id.</param>
/// <param name="Port">The port.</param>
/// <param name="Holder">Who holds it.</param>
/// <param name="ForHost">The machine it is for, if named.</param>
/// <param name="Token">The secret the holder renews and releases with.</param>
/// <param name="Epoch">The port's fencing token for this grant.</param>
/// <param name="RequestId">The client's request id, if any.</param>
/// <param name="Priority">The priority it was asked with.</param>
/// <param name="Ttl">The TTL it was granted (or last renewed) with; a renewal without a TTL uses it again.</param>
/// <param name="Endpoint">host:tcp of the port's first read-write listener at the grant.</param>
/// <param name="Granted">Wall-clock time of the grant.</param>
/// <param name="Expires">Wall-clock expiry, shown and stored.</param>
/// <param name="Deadline">Monotonic expiry: what the daemon enforces.</param>
public sealed record Lease(string Id, string Port, string Holder, IPAddress? ForHost, string Token, long Epoch, string? RequestId,
    int Priority, TimeSpan Ttl, string? Endpoint, DateTimeOffset Granted, DateTimeOffset Expires, TimeSpan Deadline)
{
    public LeaseInfo Info => new(Id, Port, Endpoint, Epoch, Holder, ForHost?.ToString(), Priority, RequestId, Granted, Expires);

    /// <summary>What the port enforces.</summary>
    public PortLease ForPort => new(Id, Holder, ForHost, Token, Epoch);

    public bool HasExpired(LeaseInstant now) => Deadline <= now.Monotonic;

    /// <summary>No token: records print themselves into logs and test output.</summary>
    public override string ToString() => $"lease {Id} of port {Port} (holder {Holder}, epoch {Epoch}, expires {Expires:O})";
}
