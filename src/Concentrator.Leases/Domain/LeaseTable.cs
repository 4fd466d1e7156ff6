using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;

namespace Concentrator.Leases.Domain;

/// <summary>
/// Every lease of this node, as an immutable value: one <see cref="PortLeaseAuthority"/> per port, the queue of
/// waiters (priority, then arrival; a waiter names a port or a tag set, so one queue ordered that way is fair per port
/// and per tag set alike), and ended leases remembered for retries. Each operation first lets time pass (leases whose
/// deadline came expire, the port goes to the best waiter that matches it, waits that ran out end), then does what was
/// asked, and returns a <see cref="LeaseStep"/>. No actors, no I/O, no clock: time is an argument.
/// </summary>
public sealed record LeaseTable
{
    private LeaseTable(LeaseLimits limits, ILeaseIdentities ids)
    {
        Limits = limits;
        Ids = ids;
    }

    public LeaseLimits Limits { get; }

    private ILeaseIdentities Ids { get; }

    /// <summary>Every port's authority, by name (ordinal order: a tag request gets the first free matching port).</summary>
    public ImmutableSortedDictionary<string, PortLeaseAuthority> Ports { get; private init; } =
        ImmutableSortedDictionary.Create<string, PortLeaseAuthority>(StringComparer.Ordinal);

    public ImmutableSortedSet<Waiter> Queue { get; private init; } = ImmutableSortedSet.Create<Waiter>(WaiterOrder.Instance);

    /// <summary>Ended leases by id, and their ids in the order they ended (the oldest are forgotten first).</summary>
    private ImmutableDictionary<string, EndedLease> Ended { get; init; } = ImmutableDictionary<string, EndedLease>.Empty;

    private ImmutableQueue<string> EndedOrder { get; init; } = [];

    /// <summary>(holder, request id) -> the lease it got, in force or ended: a retried request gets the same lease back.</summary>
    private ImmutableDictionary<string, string> Requests { get; init; } = ImmutableDictionary<string, string>.Empty;

    private long NextSeq { get; init; } = 1;

    public static LeaseTable Create(LeaseLimits limits, ILeaseIdentities ids, IEnumerable<LeasablePort> ports) =>
        new LeaseTable(limits, ids) { Ports = MakePorts(ports, new Dictionary<string, long>()) };

    /// <summary>
    /// The table after a (re)start: leases that are still in force keep their epoch and what is left of their TTL
    /// (from the stored wall-clock expiry, tracked monotonically from now on); those whose time ran out while the
    /// daemon was down, or whose port left the configuration, end now (in the changes, for the audit trail).
    /// </summary>
    public static LeaseStep Restore(StoredLeases stored, IEnumerable<LeasablePort> ports, LeaseLimits limits, ILeaseIdentities ids,
        LeaseInstant now)
    {
        var table = new LeaseTable(limits, ids) { Ports = MakePorts(ports, stored.Epochs) };
        var m = new Mutation(table, now);
        foreach (var (name, epoch) in stored.Epochs.Where(e => !m.Ports.ContainsKey(e.Key)))
        {
            m.Ports[name] = new PortLeaseAuthority(new LeasablePort(name, [], null), epoch, null, Configured: false);
        }

        foreach (var s in stored.Leases.Where(s => s.EndedHow is not null).OrderBy(s => s.EndedAt))
        {
            m.Remember(new EndedLease(s.Lease, s.EndedHow!.Value, s.EndedAt ?? s.Lease.Expires, s.EndedBy));
        }

        foreach (var s in stored.Leases.Where(s => s.EndedHow is null).OrderByDescending(s => s.Lease.Epoch))
        {
            var lease = s.Lease with { Deadline = now.Monotonic + (s.Lease.Expires - now.Wall) };
            var authority = m.Ports.TryGetValue(lease.Port, out var a) ? a : null;
            if (authority is not null && lease.Epoch > authority.Epoch)
            {
                m.Ports[lease.Port] = authority = authority with { Epoch = lease.Epoch }; // epochs never go back
            }

            if (lease.Expires <= now.Wall)
            {
                m.Finished(lease, LeaseEventKind.Expired, null, "expired while the daemon was not running");
            }
            else if (authority is not { Configured: true })
            {
                m.Finished(lease, LeaseEventKind.Revoked, null, $"port {lease.Port} is no longer configured");
            }
            else if (authority.Current is { } other)
            {
                // Never two leases on a port: keep the later grant (a store written by hand could hold both).
                m.Finished(lease, LeaseEventKind.Revoked, null, $"lease {other.Id} of the same port was granted later");
            }
            else
            {
                m.Ports[lease.Port] = authority with { Current = lease };
                m.Index(lease);
            }
        }

        m.Prune();
        return m.Finish(null);
    }

    /// <summary>The lease in force on a port, if any.</summary>
    public Lease? Current(string port) => Ports.TryGetValue(port, out var a) ? a.Current : null;

    public IEnumerable<Lease> Active => Ports.Values.Select(a => a.Current).OfType<Lease>();

    /// <summary>When something is due next (a lease deadline or the end of a wait), on the monotonic clock.</summary>
    public TimeSpan? NextDue
    {
        get
        {
            TimeSpan? due = null;
            foreach (var lease in Active)
            {
                due = due is null || lease.Deadline < due ? lease.Deadline : due;
            }

            foreach (var waiter in Queue)
            {
                due = due is null || waiter.Until.Monotonic < due ? waiter.Until.Monotonic : due;
            }

            return due;
        }
    }

    /// <summary>The same leases without anyone waiting (the store failed: waiters are told "unavailable").</summary>
    public LeaseTable WithoutWaiters() => this with { Queue = Queue.Clear() };

    /// <summary>Lets time pass: expiries, hand-overs to waiters, waits that ran out.</summary>
    public LeaseStep Advance(LeaseInstant now) => new Mutation(this, now).Advanced().Finish(null);

    public LeaseStep List(LeaseInstant now)
    {
        var m = new Mutation(this, now).Advanced();
        var table = m.Table();
        return m.Finish(new LeaseList([.. table.Active.Select(l => l.Info)], [.. table.Queue.Select(w => w.Info)]));
    }

    public LeaseStep Acquire(AcquireLease acquire, LeaseInstant now)
    {
        var m = new Mutation(this, now).Advanced();
        var request = LeaseRequest.Validate(acquire, Limits, out var invalid);
        if (request is null)
        {
            return m.Finish(invalid);
        }

        if (request.RequestId is { } requestId)
        {
            if (m.Requests.TryGetValue(RequestKey(request.Holder, requestId), out var leaseId))
            {
                switch (m.Locate(leaseId))
                {
                    case Lease active:
                        return m.Finish(new LeaseGranted(active.Info, active.Token));
                    case EndedLease ended:
                        return m.Finish(new LeaseGone(leaseId, $"request id '{requestId}' already got a lease: {ended.Describe()}"));
                }
            }

            if (m.Queue.FirstOrDefault(w => w.Request.Holder == request.Holder && w.Request.RequestId == requestId) is { } waiting)
            {
                return m.Finish(null, waiting.Seq); // a retry while the first is still queued: one wait, both told
            }
        }

        var candidates = m.Ports.Values.Where(a => a.Configured && request.Target.Matches(a.Port)).ToList();
        if (candidates.Count == 0)
        {
            return m.Finish(new LeaseNotFound(NotFound(request.Target, m.Ports.Values)));
        }

        if (candidates.FirstOrDefault(a => a.IsFree) is { } free)
        {
            var lease = m.Grant(free, request);
            return m.Finish(new LeaseGranted(lease.Info, lease.Token));
        }

        if (request.Wait == TimeSpan.Zero)
        {
            return m.Finish(new LeaseNotGranted(Busy(request.Target, candidates)));
        }

        if (m.Queue.Count(w => w.Request.Target.Equals(request.Target)) >= Limits.MaxWaiters)
        {
            return m.Finish(new LeaseQueueFull($"{Limits.MaxWaiters} requests already wait for {request.Target} (max-waiters); try later"));
        }

        var waiter = new Waiter(m.NextSeq++, request, now.Plus(request.Wait));
        m.Queue.Add(waiter);
        return m.Finish(null, waiter.Seq);
    }

    public LeaseStep Renew(RenewLease renew, LeaseInstant now)
    {
        var m = new Mutation(this, now).Advanced();
        if (m.Holding(renew.LeaseId, renew.Token, "renew") is { } refusal)
        {
            return m.Finish(refusal);
        }

        var lease = (Lease)m.Locate(renew.LeaseId)!;
        var ttl = renew.Ttl ?? lease.Ttl;
        if (LeaseRequest.TtlProblem(ttl, Limits) is { } invalid)
        {
            return m.Finish(invalid);
        }

        var renewed = m.Renew(lease, ttl);
        return m.Finish(new LeaseRenewed(renewed.Info));
    }

    public LeaseStep Release(ReleaseLease release, LeaseInstant now)
    {
        var m = new Mutation(this, now).Advanced();
        if (m.Holding(release.LeaseId, release.Token, "release") is { } refusal)
        {
            return m.Finish(refusal);
        }

        var lease = (Lease)m.Locate(release.LeaseId)!;
        m.End(lease, LeaseEventKind.Released, lease.Holder, null);
        return m.Finish(new LeaseEnded(lease.Info, LeaseEventKind.Released));
    }

    public LeaseStep Revoke(RevokeLease revoke, LeaseInstant now)
    {
        var m = new Mutation(this, now).Advanced();
        switch (m.Locate(revoke.LeaseId))
        {
            case Lease lease:
                m.End(lease, LeaseEventKind.Revoked, revoke.By, revoke.Reason);
                return m.Finish(new LeaseEnded(lease.Info, LeaseEventKind.Revoked));
            case EndedLease ended:
                return m.Finish(new LeaseGone(revoke.LeaseId, ended.Describe()));
            default:
                return m.Finish(new LeaseNotFound($"lease '{revoke.LeaseId}'"));
        }
    }

    /// <summary>
    /// The ports that may be leased are now <paramref name="ports"/>: a port that left has its lease revoked and its
    /// named waiters told it is gone; a new or re-tagged port goes to the best waiter that matches it.
    /// </summary>
    public LeaseStep WithPorts(IEnumerable<LeasablePort> ports, LeaseInstant now)
    {
        var m = new Mutation(this, now).Advanced();
        var wanted = ports.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var gone in m.Ports.Values.Where(a => a.Configured && !wanted.ContainsKey(a.Port.Name)).ToList())
        {
            m.Ports[gone.Port.Name] = gone with { Configured = false };
            if (gone.Current is { } lease)
            {
                m.End(lease, LeaseEventKind.Revoked, null, $"port {lease.Port} left the configuration");
            }
        }

        foreach (var port in wanted.Values)
        {
            m.Ports[port.Name] = m.Ports.TryGetValue(port.Name, out var a)
                ? a with { Port = port, Configured = true }
                : new PortLeaseAuthority(port, 0, null);
        }

        foreach (var stranded in m.Queue.Where(w => !m.Ports.Values.Any(a => a.Configured && w.Request.Target.Matches(a.Port))).ToList())
        {
            m.Queue.Remove(stranded);
            m.Waiters.Add(new WaiterDone(stranded.Seq, new LeaseNotFound(NotFound(stranded.Request.Target, m.Ports.Values))));
        }

        foreach (var name in m.Ports.Keys.ToList())
        {
            m.HandOver(name);
        }

        return m.Finish(null);
    }

    private static ImmutableSortedDictionary<string, PortLeaseAuthority> MakePorts(IEnumerable<LeasablePort> ports,
        IReadOnlyDictionary<string, long> epochs) =>
        ports.ToImmutableSortedDictionary(p => p.Name, p => new PortLeaseAuthority(p, epochs.GetValueOrDefault(p.Name), null),
            StringComparer.Ordinal);

    private static string RequestKey(string holder, string requestId) => holder + "\n" + requestId;

    private static string NotFound(LeaseTarget target, IEnumerable<PortLeaseAuthority> ports)
    {
        if (target.Port is { } port)
        {
            return $"port '{port}'";
        }

        var configured = ports.Where(a => a.Configured).ToList();
        var unknown = target.Tags.Where(t => !configured.Any(a => a.Port.Tags.Contains(t, StringComparer.Ordinal))).ToList();
        return unknown.Count switch
        {
            1 => $"tag '{unknown[0]}' (no port has it)",
            > 1 => $"tags {LeaseText.List(unknown.Select(t => $"'{t}'"))} (no port has them)",
            _ => $"a port with all of the tags {LeaseText.List(target.Tags)} (each is on some port, but no port has them all)",
        };
    }

    private static string Busy(LeaseTarget target, List<PortLeaseAuthority> candidates) => target.Port is not null
        ? $"port {target.Port} is leased to {candidates[0].Current!.Holder} until {candidates[0].Current!.Expires:O}"
        : $"all {candidates.Count} port(s) with tags {LeaseText.List(target.Tags)} are leased";

    private LeaseTable Rebuilt(Mutation m) => this with
    {
        Ports = m.Ports.ToImmutable(),
        Queue = m.Queue.ToImmutable(),
        Ended = m.Ended.ToImmutable(),
        EndedOrder = m.EndedOrder,
        Requests = m.Requests.ToImmutable(),
        NextSeq = m.NextSeq,
    };

    /// <summary>One operation's working copy: mutable builders over the table's immutable collections, and what happened.</summary>
    private sealed class Mutation(LeaseTable from, LeaseInstant now)
    {
        public ImmutableSortedDictionary<string, PortLeaseAuthority>.Builder Ports { get; } = from.Ports.ToBuilder();

        public ImmutableSortedSet<Waiter>.Builder Queue { get; } = from.Queue.ToBuilder();

        public ImmutableDictionary<string, EndedLease>.Builder Ended { get; } = from.Ended.ToBuilder();

        public ImmutableQueue<string> EndedOrder { get; private set; } = from.EndedOrder;

        public ImmutableDictionary<string, string>.Builder Requests { get; } = from.Requests.ToBuilder();

        public long NextSeq { get; set; } = from.NextSeq;

        public List<LeaseChange> Changes { get; } = [];

        public List<WaiterDone> Waiters { get; } = [];

        public LeaseTable Table() => from.Rebuilt(this);

        public LeaseStep Finish(LeaseAnswer? answer, long? queuedAs = null) => new(Table(), answer, Changes, Waiters, queuedAs);

        /// <summary>Everything that came due by now, in time order; at the same instant an expiry goes before the end of a
        /// wait, so a waiter whose wait ends just as a port frees still gets it.</summary>
        public Mutation Advanced()
        {
            while (true)
            {
                var lease = Ports.Values.Select(a => a.Current).OfType<Lease>().Where(l => l.HasExpired(now)).MinBy(l => l.Deadline);
                var waiter = Queue.Where(w => w.Until.Monotonic <= now.Monotonic).MinBy(w => w.Until.Monotonic);
                if (lease is not null && (waiter is null || lease.Deadline <= waiter.Until.Monotonic))
                {
                    End(lease, LeaseEventKind.Expired, null, $"its ttl of {LeaseText.Duration(lease.Ttl)} ran out");
                }
                else if (waiter is not null)
                {
                    Queue.Remove(waiter);
                    Waiters.Add(new WaiterDone(waiter.Seq, new LeaseNotGranted(
                        $"{waiter.Request.Target}: nothing came free within the wait of {LeaseText.Duration(waiter.Request.Wait)}")));
                }
                else
                {
                    break;
                }
            }

            Prune();
            return this;
        }

        public Lease Grant(PortLeaseAuthority authority, LeaseRequest request)
        {
            var (granted, lease) = authority.Grant(request, from.Ids.NewId(), from.Ids.NewToken(), now);
            Ports[lease.Port] = granted;
            Index(lease);
            Changes.Add(new LeaseChange(LeaseEventKind.Granted, lease, now.Wall, request.Holder, null));
            return lease;
        }

        public Lease Renew(Lease lease, TimeSpan ttl)
        {
            var authority = Ports[lease.Port].Renewed(ttl, now);
            Ports[lease.Port] = authority;
            Changes.Add(new LeaseChange(LeaseEventKind.Renewed, authority.Current!, now.Wall, lease.Holder, null));
            return authority.Current!;
        }

        /// <summary>The lease ends; its port goes to the best waiter that matches it.</summary>
        public void End(Lease lease, LeaseEventKind how, string? by, string? detail)
        {
            Ports[lease.Port] = Ports[lease.Port].Ended();
            Finished(lease, how, by, detail);
            HandOver(lease.Port);
        }

        /// <summary>Records the end of a lease (no hand-over: at a restore nobody waits yet).</summary>
        public void Finished(Lease lease, LeaseEventKind how, string? by, string? detail)
        {
            Remember(new EndedLease(lease, how, now.Wall, by));
            Changes.Add(new LeaseChange(how, lease, now.Wall, by, detail));
        }

        public void HandOver(string port)
        {
            var authority = Ports[port];
            if (!authority.IsFree || Queue.FirstOrDefault(w => w.Request.Target.Matches(authority.Port)) is not { } waiter)
            {
                return;
            }

            Queue.Remove(waiter);
            var lease = Grant(authority, waiter.Request);
            Waiters.Add(new WaiterDone(waiter.Seq, new LeaseGranted(lease.Info, lease.Token)));
        }

        public void Index(Lease lease)
        {
            if (lease.RequestId is { } requestId)
            {
                Requests[RequestKey(lease.Holder, requestId)] = lease.Id;
            }
        }

        public void Remember(EndedLease ended)
        {
            Ended[ended.Lease.Id] = ended;
            EndedOrder = EndedOrder.Enqueue(ended.Lease.Id);
            Index(ended.Lease);
        }

        /// <summary>Forgets the oldest ended leases past the count or the age kept.</summary>
        public void Prune()
        {
            var oldest = now.Wall - from.Limits.EndedRetention;
            while (!EndedOrder.IsEmpty)
            {
                var id = EndedOrder.Peek();
                if (Ended.TryGetValue(id, out var ended) && Ended.Count <= from.Limits.EndedKept && ended.At >= oldest)
                {
                    break;
                }

                EndedOrder = EndedOrder.Dequeue();
                if (ended is not null)
                {
                    Ended.Remove(id);
                    if (ended.Lease.RequestId is { } requestId && Requests.TryGetValue(RequestKey(ended.Lease.Holder, requestId), out var indexed) && indexed == id)
                    {
                        Requests.Remove(RequestKey(ended.Lease.Holder, requestId));
                    }
                }
            }
        }

        /// <summary>The lease in force with this id, or its memory if it ended, or null.</summary>
        public object? Locate(string leaseId) =>
            (object?)Ports.Values.Select(a => a.Current).FirstOrDefault(l => l?.Id == leaseId) ?? Ended.GetValueOrDefault(leaseId);

        /// <summary>Null when <paramref name="token"/> holds the lease in force; otherwise the refusal (nothing changes).</summary>
        public LeaseAnswer? Holding(string leaseId, string token, string verb) => Locate(leaseId) switch
        {
            Lease lease when TokenMatches(lease.Token, token) => null,
            Lease => new LeaseForbidden($"wrong token for lease {leaseId}: not renewed or released, nothing changed"),
            EndedLease ended => new LeaseGone(leaseId, $"cannot {verb}: {ended.Describe()}"),
            _ => new LeaseNotFound($"lease '{leaseId}'"),
        };

        private static bool TokenMatches(string expected, string? given) =>
            given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(given));
    }
}
