using Akka.Actor;
using Concentrator.Leases.Store;

namespace Concentrator.Leases;

// What a scheduler (the HTTP API, the CLI through it) asks of the lease service, and every answer it can get. Plain
// serializable records: the cluster later routes them to the node that owns the port. The only actor reference is
// the subscriber of the watch stream. Every request gets exactly one answer (an acquire that waits, when it ends).

/// <summary>
/// Leases a port: the named <paramref name="Port"/>, or any port that has all <paramref name="Tags"/> (exactly one
/// of the two). Answered with <see cref="LeaseGranted"/>, or — after up to <paramref name="Wait"/> in a queue ordered
/// by priority then arrival — <see cref="LeaseNotGranted"/>; or at once <see cref="LeaseNotFound"/> (unknown port or
/// tag), <see cref="LeaseInvalid"/>, <see cref="LeaseQueueFull"/>, <see cref="LeaseGone"/> (the request id's lease
/// already ended) or <see cref="LeaseUnavailable"/> (the store is down). Ask with a timeout longer than
/// <paramref name="Wait"/> (plus a few seconds for the store): a grant that finds no one waiting is still a lease
/// until it expires; a client that gave up retries with the same <paramref name="RequestId"/> and gets it back.
/// </summary>
/// <param name="Port">A port by name, or null when <paramref name="Tags"/> are given.</param>
/// <param name="Tags">Tags a port must all have, or null/empty when <paramref name="Port"/> is given.</param>
/// <param name="Ttl">How long the lease lasts unless renewed (more than 0, at most the configured max-ttl).</param>
/// <param name="Wait">How long to wait for a busy port; zero answers at once.</param>
/// <param name="Holder">Who holds it: a principal name; sessions authenticated as this name write.</param>
/// <param name="ForHost">The IP address of the machine the port is leased for: its connections write.</param>
/// <param name="Priority">Higher waits less: the queue is ordered by priority, then arrival.</param>
/// <param name="RequestId">Makes a retry safe: the same holder and request id always get the same lease back.</param>
public sealed record AcquireLease(string? Port, IReadOnlyList<string>? Tags, TimeSpan Ttl, TimeSpan Wait, string Holder,
    string? ForHost = null, int Priority = 0, string? RequestId = null);

/// <summary>Extends a lease to now + <paramref name="Ttl"/> (its own TTL when null). Answered with <see cref="LeaseRenewed"/>,
/// <see cref="LeaseForbidden"/> (wrong token, nothing changes), <see cref="LeaseGone"/> (it ended), <see cref="LeaseNotFound"/>,
/// <see cref="LeaseInvalid"/> or <see cref="LeaseUnavailable"/>.</summary>
public sealed record RenewLease(string LeaseId, string Token, TimeSpan? Ttl = null)
{
    /// <summary>No token: messages print themselves into logs (dead letters, debug logging).</summary>
    public override string ToString() => $"RenewLease {{ LeaseId = {LeaseId}, Ttl = {Ttl} }}";
}

/// <summary>Ends a lease early; the port goes to the next waiter. Answered with <see cref="LeaseEnded"/>, <see cref="LeaseForbidden"/>,
/// <see cref="LeaseGone"/>, <see cref="LeaseNotFound"/> or <see cref="LeaseUnavailable"/>.</summary>
public sealed record ReleaseLease(string LeaseId, string Token)
{
    /// <summary>No token: messages print themselves into logs (dead letters, debug logging).</summary>
    public override string ToString() => $"ReleaseLease {{ LeaseId = {LeaseId} }}";
}

/// <summary>An administrator ends someone's lease. Answered like <see cref="ReleaseLease"/>, without the token check.</summary>
public sealed record RevokeLease(string LeaseId, string By, string? Reason = null);

/// <summary>The leases in force and the queue; answered with <see cref="LeaseList"/> or <see cref="LeaseUnavailable"/>.</summary>
public sealed record ListLeases
{
    public static ListLeases Instance { get; } = new();
}

/// <summary>The audit trail after <paramref name="AfterSeq"/>, oldest first; answered with <see cref="LeaseAuditPage"/> or <see cref="LeaseUnavailable"/>.</summary>
public sealed record ReadLeaseAudit(long AfterSeq = 0, int Limit = 1000);

/// <summary>
/// Starts the watch stream: <paramref name="Subscriber"/> gets <see cref="LeaseEventsSubscribed"/> (the leases in force
/// now), then every <see cref="LeaseEvent"/> once it is durable, until it stops or sends <see cref="UnsubscribeLeaseEvents"/>.
/// </summary>
public sealed record SubscribeLeaseEvents(IActorRef Subscriber);

public sealed record UnsubscribeLeaseEvents(IActorRef Subscriber);

/// <summary>
/// The ports that may be leased changed (a reload, a discovered adapter): the whole list. Leases of ports that left
/// are revoked; waiters that now match a free port get it.
/// </summary>
public sealed record UpdateLeasablePorts(IReadOnlyList<LeasablePort> Ports);

/// <summary>Whether lease requests are served now; answered with <see cref="LeaseServiceStatus"/> (for /healthz and tests).</summary>
public sealed record GetLeaseServiceStatus
{
    public static GetLeaseServiceStatus Instance { get; } = new();
}

/// <summary>A port as leases see it: its name, its tags and where a holder connects (host:tcp of its first read-write listener).</summary>
public sealed record LeasablePort(string Name, IReadOnlyList<string> Tags, string? Endpoint);

/// <summary>A lease as anyone may see it (no token).</summary>
/// <param name="Id">The lease id.</param>
/// <param name="Port">The leased port.</param>
/// <param name="Endpoint">host:tcp to connect to, or null when the port has no read-write listener.</param>
/// <param name="Epoch">Fencing token: higher than every earlier grant of this port, also across restarts.</param>
/// <param name="Holder">Who holds it.</param>
/// <param name="ForHost">The machine it was leased for, if named.</param>
/// <param name="Priority">The priority it was asked with.</param>
/// <param name="RequestId">The client's request id, if any.</param>
/// <param name="Granted">When it was granted (wall clock).</param>
/// <param name="Expires">When it ends unless renewed (wall clock; the daemon enforces it on its monotonic clock).</param>
public sealed record LeaseInfo(string Id, string Port, string? Endpoint, long Epoch, string Holder, string? ForHost, int Priority,
    string? RequestId, DateTimeOffset Granted, DateTimeOffset Expires);

/// <summary>Someone waiting for a port.</summary>
public sealed record LeaseWaiterInfo(string Target, string Holder, int Priority, string? RequestId, DateTimeOffset WaitsUntil);

/// <summary>Every answer of the lease service.</summary>
public abstract record LeaseAnswer;

/// <summary>The port is yours: connect to <see cref="LeaseInfo.Endpoint"/>; renew and release with <paramref name="Token"/>.</summary>
public sealed record LeaseGranted(LeaseInfo Lease, string Token) : LeaseAnswer
{
    /// <summary>No token: messages print themselves into logs (dead letters, debug logging).</summary>
    public override string ToString() => $"LeaseGranted {{ Lease = {Lease} }}";
}

public sealed record LeaseRenewed(LeaseInfo Lease) : LeaseAnswer;

/// <summary>A release or a revoke took effect.</summary>
public sealed record LeaseEnded(LeaseInfo Lease, LeaseEventKind How) : LeaseAnswer;

/// <summary>Nothing was granted within the wait (HTTP 409, CLI exit 3).</summary>
public sealed record LeaseNotGranted(string Reason) : LeaseAnswer;

/// <summary>An unknown port, tag or lease id, named in <paramref name="What"/> (HTTP 404).</summary>
public sealed record LeaseNotFound(string What) : LeaseAnswer;

/// <summary>A request that can never be granted as asked: the problem names the limit (HTTP 400).</summary>
public sealed record LeaseInvalid(string Problem) : LeaseAnswer;

/// <summary>Wrong token: nothing changed (HTTP 403).</summary>
public sealed record LeaseForbidden(string Reason) : LeaseAnswer;

/// <summary>The lease has ended (expired, released, revoked) (HTTP 410).</summary>
public sealed record LeaseGone(string LeaseId, string Reason) : LeaseAnswer;

/// <summary>The queue for this port or tag set is full (HTTP 429).</summary>
public sealed record LeaseQueueFull(string Reason) : LeaseAnswer;

/// <summary>The lease store cannot be used now (locked, corrupt, read-only, unreachable); try later (HTTP 503).</summary>
public sealed record LeaseUnavailable(string Reason) : LeaseAnswer;

/// <summary>The leases in force (by port) and the waiters (in queue order).</summary>
public sealed record LeaseList(IReadOnlyList<LeaseInfo> Leases, IReadOnlyList<LeaseWaiterInfo> Waiting) : LeaseAnswer;

/// <summary>Rows of the audit trail; ask again after the last <see cref="LeaseAuditEntry.Seq"/> for more.</summary>
public sealed record LeaseAuditPage(IReadOnlyList<LeaseAuditEntry> Entries) : LeaseAnswer;

/// <summary>Whether the store works; <paramref name="Problem"/> says why not.</summary>
public sealed record LeaseServiceStatus(bool Available, string Store, string? Problem);

/// <summary>What happened to a lease.</summary>
public enum LeaseEventKind { Granted, Renewed, Released, Expired, Revoked }

/// <summary>One event of the watch stream (server-sent events in the API), published once it is durable.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Lease">The lease as it is after the event.</param>
/// <param name="At">When (wall clock).</param>
/// <param name="By">Who did it, where someone did (the holder, the administrator who revoked).</param>
/// <param name="Detail">More words, e.g. "expired while the daemon was down".</param>
public sealed record LeaseEvent(LeaseEventKind Kind, LeaseInfo Lease, DateTimeOffset At, string? By, string? Detail);

/// <summary>The first message of a watch: the leases in force when it started.</summary>
public sealed record LeaseEventsSubscribed(IReadOnlyList<LeaseInfo> Current);
