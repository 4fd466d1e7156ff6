using Akka.Actor;
using Akka.Event;
using Concentrator.Leases.Domain;
using Concentrator.Leases.Store;
using Concentrator.Ports.Admission;
using Concentrator.Ports.Automation;
using Concentrator.Ports.Management;
using Concentrator.Ports.Port;

namespace Concentrator.Leases.Service;

/// <summary>
/// The lease service of this node. It owns every port's <see cref="PortLeaseAuthority"/> (inside one immutable
/// <see cref="LeaseTable"/>: tag requests and the fair queue need all of this node's ports at once), asks the table
/// what each request does, and carries it out: writes the changes through the <see cref="LeaseStoreQueue"/> (off the
/// actor thread, piped back), answers and publishes only once they are durable, and tells ports their lease.
/// <para>
/// Ports are told at once when a lease ends (taking write access away early is always safe) but of a grant only once
/// it is durable (a grant the store lost must never have been enforced). Expiry runs on the injected clock's
/// monotonic time through one timer armed for the next deadline.
/// </para>
/// <para>
/// States: opening (requests are stashed until the first open attempt ends), serving, and down (the store could not be
/// opened or a write failed: requests are answered <see cref="LeaseUnavailable"/>, the store is retried every
/// <see cref="LeaseServiceOptions.RetryInterval"/>, and when it opens the table restarts from what it holds).
/// </para>
/// </summary>
public sealed class LeaseService : ReceiveActor, IWithStash, IWithTimers
{
    private readonly LeaseServiceOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LeaseStoreQueue _store;
    private readonly TimeProvider _clock;
    private readonly ILeaseIdentities _ids;
    private readonly long _started;
    private readonly Dictionary<long, List<IActorRef>> _waiting = [];    // queued request -> who to answer (a retry adds itself)
    private readonly LinkedList<Batch> _inflight = [];                   // written, not yet durable, in order
    private readonly HashSet<IActorRef> _subscribers = [];
    private readonly Dictionary<string, PortLease> _told = new(StringComparer.Ordinal); // what each leased port was last told
    private IReadOnlyList<LeasablePort> _ports;
    private LeaseTable _table;   // now, including changes not yet durable
    private LeaseTable _durable; // as of the last durable write: a grant is enforced only once it is here
    private const string OpeningProblem = "the lease store is being opened";
    private string? _problem = OpeningProblem; // null while the store works
    private bool _servedBefore;
    private long _nextBatch;
    private ITimer? _dueTimer;
    private TimeSpan? _armedFor;

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    public LeaseService(LeaseServiceOptions options)
    {
        _options = options;
        _store = new LeaseStoreQueue(options.Store);
        _clock = options.Clock ?? TimeProvider.System;
        _ids = options.Ids ?? RandomLeaseIdentities.Instance;
        _started = _clock.GetTimestamp();
        _ports = options.Ports;
        _table = _durable = LeaseTable.Create(options.Limits, _ids, options.Ports);
        Opening();
    }

    public static Props Props(LeaseServiceOptions options) => Akka.Actor.Props.Create(() => new LeaseService(options));

    private LeaseInstant Now => new(_clock.GetElapsedTime(_started), _clock.GetUtcNow());

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(RevokeLeaseForTrigger)); // a port's trigger with revoke-lease = on
        OpenStore();
    }

    protected override void PostStop()
    {
        _dueTimer?.Dispose();
        _ = _store.DisposeAsync().AsTask(); // closes the store once the calls already queued are done
    }

    private void Opening()
    {
        Receive<StoreOpened>(opened =>
        {
            Restore(opened.Stored);
            Stash.UnstashAll();
        });
        Receive<StoreOpenFailed>(failed =>
        {
            StoreDown(failed.Problem);
            Stash.UnstashAll();
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Serving()
    {
        Receive<AcquireLease>(acquire => Apply(_table.Acquire(acquire, Now), Sender));
        Receive<RenewLease>(renew => Apply(_table.Renew(renew, Now), Sender));
        Receive<ReleaseLease>(release => Apply(_table.Release(release, Now), Sender));
        Receive<RevokeLease>(revoke => Apply(_table.Revoke(revoke, Now), Sender));
        Receive<RevokeLeaseForTrigger>(revoke => Apply(_table.Revoke(
            new RevokeLease(revoke.LeaseId, $"trigger {revoke.Trigger}", $"trigger {revoke.Trigger} fired on port {revoke.Port}"), Now), null));
        Receive<ListLeases>(_ => Apply(_table.List(Now), Sender));
        Receive<ReadLeaseAudit>(read => _store.ReadAuditAsync(read.AfterSeq, Math.Clamp(read.Limit, 1, 10_000)).PipeTo(Sender,
            success: entries => new LeaseAuditPage(entries), failure: e => new LeaseUnavailable(Explain(e))));
        Receive<Due>(_ =>
        {
            _armedFor = null;
            Apply(_table.Advance(Now), null);
        });
        Receive<UpdateLeasablePorts>(update =>
        {
            _ports = update.Ports;
            Apply(_table.WithPorts(update.Ports, Now), null);
            RetellLeasedPorts(); // a port actor started anew (a reload) knows no lease
        });
        Receive<BatchDurable>(durable => Durable(durable.Seq));
        Receive<BatchFailed>(failed =>
        {
            Durable(failed.Seq - 1); // the queue writes in order: everything before the failed batch made it
            if (_inflight.First?.Value.Seq == failed.Seq)
            {
                StoreDown(failed.Problem);
            }
        });
        ReceiveCommon();
    }

    private void Down()
    {
        Receive<AcquireLease>(_ => Unavailable());
        Receive<RenewLease>(_ => Unavailable());
        Receive<ReleaseLease>(_ => Unavailable());
        Receive<RevokeLease>(_ => Unavailable());
        Receive<RevokeLeaseForTrigger>(revoke => _log.Warning("trigger {0} on port {1} could not revoke lease {2}: the lease store is down",
            revoke.Trigger, revoke.Port, revoke.LeaseId));
        Receive<ListLeases>(_ => Unavailable());
        Receive<ReadLeaseAudit>(_ => Unavailable());
        Receive<Due>(_ =>
        {
            // Expiry still ends leases on time (ports are told); nothing is written: the reopened store's own
            // expiry times say the same, and the restore records it.
            _armedFor = null;
            var step = _table.Advance(Now);
            _table = step.Table;
            SyncPorts(step.Changes);
            ArmTimer();
        });
        Receive<UpdateLeasablePorts>(update =>
        {
            _ports = update.Ports;
            var step = _table.WithPorts(update.Ports, Now);
            _table = step.Table;
            SyncPorts(step.Changes);
            RetellLeasedPorts();
        });
        Receive<RetryStore>(_ => OpenStore());
        Receive<StoreOpened>(opened => Restore(opened.Stored));
        Receive<StoreOpenFailed>(failed => StoreDown(failed.Problem));
        Receive<BatchDurable>(_ => { }); // already answered "unavailable" when the store went down
        Receive<BatchFailed>(_ => { });
        ReceiveCommon();
    }

    private void ReceiveCommon()
    {
        Receive<SubscribeLeaseEvents>(subscribe =>
        {
            if (_subscribers.Add(subscribe.Subscriber))
            {
                Context.Watch(subscribe.Subscriber);
            }

            subscribe.Subscriber.Tell(new LeaseEventsSubscribed([.. DurableActive().Select(l => l.Info)]));
        });
        Receive<UnsubscribeLeaseEvents>(unsubscribe =>
        {
            _subscribers.Remove(unsubscribe.Subscriber);
            Context.Unwatch(unsubscribe.Subscriber);
        });
        Receive<Terminated>(t => _subscribers.Remove(t.ActorRef));
        Receive<GetLeaseServiceStatus>(_ => Sender.Tell(new LeaseServiceStatus(_problem is null, _store.Name, _problem)));
        Receive<PortNotFound>(_ => { }); // a port told of its lease had just left (a reload): the next port list says so
    }

    private void OpenStore() =>
        _store.OpenAsync(_clock.GetUtcNow() - _options.Limits.EndedRetention).PipeTo(Self,
            success: stored => new StoreOpened(stored), failure: e => new StoreOpenFailed(Explain(e)));

    /// <summary>The store opened: the table restarts from what it holds (leases still in force keep their epoch).</summary>
    private void Restore(StoredLeases stored)
    {
        var step = LeaseTable.Restore(stored, _ports, _options.Limits, _ids, Now);
        var recovered = _servedBefore || _problem != OpeningProblem ? $" again (was: {_problem})" : "";
        _problem = null;
        _servedBefore = true;
        _durable = step.Table;
        _log.Info("leases: {0} works{1}: {2} lease(s) in force, {3} ended at start", _store.Name, recovered,
            step.Table.Active.Count(), step.Changes.Count);
        Timers.Cancel(RetryStore.Instance);
        Become(Serving);
        Apply(step, null);
        SyncPorts(step.Changes, _told.Keys.Concat(_table.Ports.Keys), "lease in force (restored from the store)");
    }

    /// <summary>
    /// The store cannot be used: everyone waiting for an answer hears "unavailable", the table goes back to what is
    /// durable (a grant not yet written never happened), and the store is retried.
    /// </summary>
    private void StoreDown(string problem)
    {
        if (problem != _problem)
        {
            _log.Error("leases: {0}; lease requests are answered 'unavailable' until it works (retrying every {1}); the ports keep serving",
                problem, LeaseText.Duration(_options.RetryInterval));
        }

        _problem = problem;
        var unavailable = new LeaseUnavailable(problem);
        Send(_inflight.SelectMany(b => b.Replies).Select(r => (r.To, (object)unavailable)));
        Send(_waiting.Values.SelectMany(w => w).Select(to => (to, (object)unavailable)));
        _inflight.Clear();
        _waiting.Clear();
        var step = _durable.WithoutWaiters().Advance(Now);
        _table = step.Table;
        SyncPorts(step.Changes, _table.Ports.Keys, "the lease store failed: back to what it holds");
        Become(Down);
        ArmTimer();
        Timers.StartSingleTimer(RetryStore.Instance, RetryStore.Instance, _options.RetryInterval);
    }

    private void Unavailable() => Sender.Tell(new LeaseUnavailable(_problem ?? "the lease store is not available"));

    /// <summary>
    /// Carries out one step of the table: answers (now, or once what came before is durable), remembers who waits,
    /// writes the changes, takes write access away from ports whose lease ended, re-arms the expiry timer.
    /// </summary>
    private void Apply(LeaseStep step, IActorRef? requester)
    {
        _table = step.Table;
        var replies = new List<(IActorRef To, object Answer)>();
        if (requester is not null && !requester.IsNobody())
        {
            if (step.Answer is { } answer)
            {
                replies.Add((requester, answer));
            }
            else if (step.QueuedAs is { } seq)
            {
                (_waiting.TryGetValue(seq, out var who) ? who : _waiting[seq] = []).Add(requester);
            }
        }

        foreach (var done in step.Waiters)
        {
            if (_waiting.Remove(done.Seq, out var who))
            {
                replies.AddRange(who.Select(to => (to, (object)done.Answer)));
            }
        }

        if (step.Changes.Count > 0)
        {
            var batch = new Batch(++_nextBatch, step.Table, step.Changes, replies);
            _inflight.AddLast(batch);
            _store.WriteAsync(step.Changes).PipeTo(Self, success: () => new BatchDurable(batch.Seq),
                failure: e => new BatchFailed(batch.Seq, Explain(e)));
        }
        else if (_inflight.Last is { } last)
        {
            last.Value.Replies.AddRange(replies); // an answer never runs ahead of a write that came before it
        }
        else
        {
            Send(replies);
        }

        SyncPorts(step.Changes);
        ArmTimer();
    }

    /// <summary>Every batch up to <paramref name="seq"/> is on disk: answer, publish, enforce its grants.</summary>
    private void Durable(long seq)
    {
        while (_inflight.First is { } first && first.Value.Seq <= seq)
        {
            var batch = first.Value;
            _inflight.RemoveFirst();
            _durable = batch.After;
            Send(batch.Replies);
            foreach (var change in batch.Changes)
            {
                Log(change);
                var published = change.ToEvent();
                foreach (var subscriber in _subscribers)
                {
                    subscriber.Tell(published);
                }
            }

            SyncPorts(batch.Changes);
        }
    }

    /// <summary>
    /// Tells each port touched by <paramref name="changes"/> (and each of <paramref name="others"/>) whose enforced lease
    /// differs from what it was last told; the same state is never sent twice.
    /// </summary>
    private void SyncPorts(IReadOnlyList<LeaseChange> changes, IEnumerable<string>? others = null, string otherwise = "")
    {
        foreach (var port in changes.Select(c => c.Lease.Port).Concat(others ?? []).Distinct(StringComparer.Ordinal).ToList())
        {
            var enforced = Enforced(port);
            if (Equals(_told.GetValueOrDefault(port), enforced))
            {
                continue;
            }

            Tell(port, enforced, Why(port, enforced, changes, otherwise));
        }
    }

    /// <summary>Every leased port hears its lease again, whatever it was told before.</summary>
    private void RetellLeasedPorts()
    {
        foreach (var port in _table.Ports.Keys)
        {
            if (Enforced(port) is { } enforced)
            {
                Tell(port, enforced, "lease in force");
            }
        }
    }

    private void Tell(string port, PortLease? enforced, string reason)
    {
        if (enforced is null)
        {
            _told.Remove(port);
        }
        else
        {
            _told[port] = enforced;
        }

        _options.PortsTarget.Tell(new PortLeaseChanged(port, enforced, reason));
    }

    /// <summary>The lease a port enforces: the one in force now, once its grant is durable.</summary>
    private PortLease? Enforced(string port) =>
        _table.Current(port) is { } lease && _durable.Current(port)?.Id == lease.Id ? lease.ForPort : null;

    private IEnumerable<Lease> DurableActive() => _table.Active.Where(l => _durable.Current(l.Port)?.Id == l.Id);

    /// <summary>Why a port's lease is now <paramref name="enforced"/>: its grant, or the last change that ended one.</summary>
    private static string Why(string port, PortLease? enforced, IReadOnlyList<LeaseChange> changes, string otherwise)
    {
        if (enforced is not null)
        {
            return changes.Any(c => c.Kind == LeaseEventKind.Granted && c.Lease.Id == enforced.LeaseId) || otherwise.Length == 0
                ? $"granted to {enforced.Holder}"
                : otherwise;
        }

        return changes.LastOrDefault(c => c.Ends && c.Lease.Port == port) switch
        {
            { Kind: LeaseEventKind.Revoked } c => $"revoked{(c.By is null ? "" : " by " + c.By)}{(c.Detail is null ? "" : ": " + c.Detail)}",
            { Kind: LeaseEventKind.Released } c => $"released by {c.By}",
            { } c => c.Kind.ToString().ToLowerInvariant(),
            null when otherwise.Length > 0 => otherwise,
            null => "its grant is not durable yet",
        };
    }

    private void Log(LeaseChange change)
    {
        var lease = change.Lease;
        switch (change.Kind)
        {
            case LeaseEventKind.Granted:
                _log.Info("lease {0}: port {1} granted to {2} (epoch {3}, until {4:O}{5})", lease.Id, lease.Port, lease.Holder, lease.Epoch,
                    lease.Expires, lease.ForHost is null ? "" : $", for {lease.ForHost}");
                break;
            case LeaseEventKind.Renewed:
                _log.Debug("lease {0}: renewed until {1:O}", lease.Id, lease.Expires);
                break;
            default:
                _log.Info("lease {0}: port {1} {2}{3}{4}", lease.Id, lease.Port, change.Kind.ToString().ToLowerInvariant(),
                    change.By is null ? "" : " by " + change.By, change.Detail is null ? "" : ": " + change.Detail);
                break;
        }
    }

    private static void Send(IEnumerable<(IActorRef To, object Answer)> replies)
    {
        foreach (var (to, answer) in replies)
        {
            to.Tell(answer);
        }
    }

    /// <summary>One timer, armed for the next deadline on the injected clock (a fake clock fires it when advanced).</summary>
    private void ArmTimer()
    {
        var due = _table.NextDue;
        if (due == _armedFor)
        {
            return;
        }

        _armedFor = due;
        if (due is null)
        {
            _dueTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        var self = Self;
        _dueTimer ??= _clock.CreateTimer(_ => self.Tell(Due.Instance), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        var delay = due.Value - Now.Monotonic;
        _dueTimer.Change(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private static string Explain(Exception error) => error switch
    {
        AggregateException { InnerExceptions.Count: 1 } aggregate => Explain(aggregate.InnerExceptions[0]),
        LeaseStoreException store => store.Message,
        _ => $"lease store: {error.Message}",
    };

    private sealed record Batch(long Seq, LeaseTable After, IReadOnlyList<LeaseChange> Changes, List<(IActorRef To, object Answer)> Replies);

    private sealed record BatchDurable(long Seq);

    private sealed record BatchFailed(long Seq, string Problem);

    private sealed record StoreOpened(StoredLeases Stored);

    private sealed record StoreOpenFailed(string Problem);

    private sealed record Due
    {
        public static Due Instance { get; } = new();
    }

    private sealed record RetryStore
    {
        public static RetryStore Instance { get; } = new();
    }
}
