using System.Text.Json.Serialization;
using Concentrator.Leases;

namespace Concentrator.Api.Leases;

/// <summary>
/// POST /api/leases: <c>{"port":NAME}</c> or <c>{"tags":[...]}</c> plus <c>"ttl":"10m"</c>; optional <c>"wait"</c>
/// (default 0s: answer at once), <c>"holder"</c> (default and, below admin, only: the caller, <c>web:NAME</c>),
/// <c>"forHost"</c> (the IP address whose connections write), <c>"priority"</c> and <c>"requestId"</c> (makes a retry
/// safe; the caller's own).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record LeaseAcquireRequest(string? Port = null, List<string>? Tags = null, string? Ttl = null, string? Wait = null,
    string? Holder = null, string? ForHost = null, int Priority = 0, string? RequestId = null);

/// <summary>POST /api/leases/{id}/renew: an optional <c>{"ttl":"10m"}</c> (the lease's own TTL when absent).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record LeaseRenewRequest(string? Ttl = null);

/// <summary>POST /api/leases/{id}/revoke: an optional <c>{"reason":"..."}</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record LeaseRevokeRequest(string? Reason = null);

/// <summary>A granted lease, with its token (only ever shown to whoever acquired it).</summary>
/// <param name="Lease">The lease id.</param>
/// <param name="Port">The leased port.</param>
/// <param name="Endpoint">host:tcp to connect to, or null when the port has no read-write listener.</param>
/// <param name="Token">Renews and releases the lease (<c>Authorization: Lease TOKEN</c>).</param>
/// <param name="Epoch">Fencing token: higher than every earlier grant of this port.</param>
/// <param name="Expires">When it ends unless renewed.</param>
public sealed record LeaseGrantView(string Lease, string Port, string? Endpoint, string Token, long Epoch, DateTimeOffset Expires)
{
    public static LeaseGrantView From(LeaseGranted granted)
    {
        ArgumentNullException.ThrowIfNull(granted);
        var l = granted.Lease;
        return new LeaseGrantView(l.Id, l.Port, l.Endpoint, granted.Token, l.Epoch, l.Expires);
    }
}

/// <summary>A lease as anyone may see it: never its token.</summary>
public sealed record LeaseView(string Id, string Port, string? Endpoint, long Epoch, string Holder, string? ForHost, int Priority,
    string? RequestId, DateTimeOffset Granted, DateTimeOffset Expires)
{
    public static LeaseView From(LeaseInfo l)
    {
        ArgumentNullException.ThrowIfNull(l);
        return new LeaseView(l.Id, l.Port, l.Endpoint, l.Epoch, l.Holder, l.ForHost, l.Priority, LeaseCaller.Unscope(l.RequestId), l.Granted, l.Expires);
    }
}

/// <summary>Someone waiting for a port (its target is a port name or "tags:a,b").</summary>
public sealed record LeaseWaiterView(string Target, string Holder, int Priority, string? RequestId, DateTimeOffset WaitsUntil)
{
    public static LeaseWaiterView From(LeaseWaiterInfo w)
    {
        ArgumentNullException.ThrowIfNull(w);
        return new LeaseWaiterView(w.Target, w.Holder, w.Priority, LeaseCaller.Unscope(w.RequestId), w.WaitsUntil);
    }
}

/// <summary>GET /api/leases: the leases in force and the queue.</summary>
public sealed record LeaseListView(List<LeaseView> Leases, List<LeaseWaiterView> Waiting);

/// <summary>One server-sent event of GET /api/leases/events: what happened (granted, renewed, released, expired, revoked) to which lease.</summary>
public sealed record LeaseEventView(string Kind, LeaseView Lease, DateTimeOffset At, string? By, string? Detail)
{
    public static LeaseEventView From(LeaseEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new LeaseEventView(e.Kind.ToString().ToLowerInvariant(), LeaseView.From(e.Lease), e.At, e.By, e.Detail);
    }
}
