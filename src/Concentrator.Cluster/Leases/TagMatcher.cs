using Akka.Actor;
using Akka.DistributedData;
using Concentrator.Cluster.Inventory;
using Concentrator.Cluster.Membership;
using Concentrator.Leases;

namespace Concentrator.Cluster.Leases;

/// <summary>
/// The cluster singleton that serves lease requests by tags: it matches them against the inventory and asks the
/// owner of a free matching port to grant it (the owner decides; this actor grants nothing itself). Requests that
/// find nothing free wait here, highest priority first, then by arrival, and are tried again whenever the
/// inventory changes and every second. It holds only soft state: when it moves to another node the requesters
/// send their requests again (<see cref="TagRequester"/>).
/// </summary>
public sealed class TagMatcher : ReceiveActor, IWithTimers
{
    public const string Name = "tag-matcher";

    private static readonly TimeSpan OwnerTimeout = TimeSpan.FromSeconds(5);
    private readonly List<Waiter> _waiters = [];
    private IReadOnlyDictionary<string, NodeInventory> _entries = new Dictionary<string, NodeInventory>();
    private ClusterView _view = ClusterView.NotJoined("");
    private long _arrivals;
    private long _generation;
    private bool _trying;
    private bool _haveInventory;

    public ITimerScheduler Timers { get; set; } = null!;

    public TagMatcher()
    {
        Receive<MatchTags>(match =>
        {
            var existing = _waiters.Find(w => w.Key == match.Key);
            if (existing is not null)
            {
                existing.ReplyTo = match.ReplyTo; // a requester sending again after the singleton moved, or a retry
            }
            else
            {
                var r = match.Request;
                _waiters.Add(new Waiter(match.Key, r, DateTime.UtcNow + match.Remaining, _arrivals++, match.ReplyTo));
                _waiters.Sort((a, b) => a.Request.Priority != b.Request.Priority ? b.Request.Priority.CompareTo(a.Request.Priority) : a.Arrival.CompareTo(b.Arrival));
            }

            TryNext();
        });
        Receive<CancelMatch>(cancel => _waiters.RemoveAll(w => w.Key == cancel.Key && !w.Trying));
        Receive<Changed>(changed =>
        {
            _entries = changed.Get(InventoryKeys.Inventory).Entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            _haveInventory = true;
            _generation++;
            TryNext();
        });
        Receive<ClusterView>(view =>
        {
            _view = view; // which entries may be trusted changed
            _generation++;
            TryNext();
        });
        Receive<Tick>(_ =>
        {
            _generation++;
            TryNext();
        });
        Receive<Tried>(Finish);
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new TagMatcher());

    protected override void PreStart()
    {
        DistributedData.Get(Context.System).Replicator.Tell(Dsl.Subscribe(InventoryKeys.Inventory, Self));
        var self = Self;
        Context.ActorOf(MembershipWatcher.Props("", view => self.Tell(view)), "membership"); // the same view the nodes use
        Timers.StartPeriodicTimer(Tick.Instance, Tick.Instance, TimeSpan.FromSeconds(1));
    }

    /// <summary>One attempt at a time, for the first waiter (in queue order) not yet tried against this inventory.</summary>
    private void TryNext()
    {
        ExpireWaiters();
        // A matcher that just started (the singleton moved) has not seen the inventory yet: an empty one would answer
        // "no port has these tags" to every waiter the requesters send again. They wait for the first Changed.
        if (_trying || !_haveInventory)
        {
            return;
        }

        var waiter = _waiters.Find(w => w.TriedAt < _generation);
        if (waiter is null)
        {
            return;
        }

        var inventory = InventorySnapshot.Visible(_entries, _view);
        var tags = waiter.Request.Tags ?? [];
        var matches = inventory.WithTags([.. tags]);
        if (matches.Count == 0)
        {
            _waiters.Remove(waiter);
            waiter.ReplyTo.Tell(new TagMatchAnswer(waiter.Key,
                new LeaseNotFound($"no port on any reachable node has all of the tags [{string.Join(", ", tags)}]")));
            TryNext();
            return;
        }

        waiter.TriedAt = _generation;
        waiter.Trying = true;
        _trying = true;
        // Free ones first, but the leased ones too: the inventory lags the owners by a gossip round, so a port released a
        // moment ago still shows its lease; only the owner knows whether it is free now.
        var candidates = matches.Select(m => (m.Node.Address, m.Port.Name)).ToList();
        AskOwnersAsync(Context.System, waiter.Request, candidates).PipeTo(Self, success: answer => new Tried(waiter, answer),
            failure: _ => new Tried(waiter, null));
    }

    /// <summary>Asks owners of matching ports, one after another, for a lease at once; the first grant wins.</summary>
    private static async Task<LeaseAnswer?> AskOwnersAsync(ActorSystem system, AcquireLease request, IReadOnlyList<(string Address, string Port)> free)
    {
        LeaseAnswer? last = null;
        foreach (var (address, port) in free)
        {
            var gateway = system.ActorSelection($"{ClusterConfig.AddressOf(system, address)}/user/{NodeGateway.Name}");
            try
            {
                var answer = await gateway.Ask<LeaseAnswer>(request with { Port = port, Tags = null, Wait = TimeSpan.Zero }, OwnerTimeout)
                    .ConfigureAwait(false);
                if (answer is LeaseGranted or LeaseInvalid or LeaseQueueFull)
                {
                    return answer;
                }

                last = answer;
            }
            catch (AskTimeoutException)
            {
            }
        }

        return last is LeaseUnavailable ? last : null;
    }

    private void Finish(Tried tried)
    {
        _trying = false;
        var waiter = tried.Waiter;
        waiter.Trying = false;
        if (!_waiters.Contains(waiter))
        {
            // Cancelled while its owners were asked: a grant made meanwhile is the requester's to find by its request id.
            TryNext();
            return;
        }

        if (tried.Answer is LeaseGranted or LeaseInvalid or LeaseQueueFull)
        {
            _waiters.Remove(waiter);
            waiter.ReplyTo.Tell(new TagMatchAnswer(waiter.Key, tried.Answer));
        }

        TryNext();
    }

    private void ExpireWaiters()
    {
        var now = DateTime.UtcNow;
        foreach (var waiter in _waiters.Where(w => w.Deadline <= now && !w.Trying && w.TriedAt >= 0).ToList()) // every request is tried once
        {
            _waiters.Remove(waiter);
            waiter.ReplyTo.Tell(new TagMatchAnswer(waiter.Key, new LeaseNotGranted(
                $"no port with tags [{string.Join(", ", waiter.Request.Tags ?? [])}] became free within the wait")));
        }
    }

    private sealed class Waiter(string key, AcquireLease request, DateTime deadline, long arrival, IActorRef replyTo)
    {
        public string Key { get; } = key;
        public AcquireLease Request { get; } = request;
        public DateTime Deadline { get; } = deadline;
        public long Arrival { get; } = arrival;
        public IActorRef ReplyTo { get; set; } = replyTo;
        public long TriedAt { get; set; } = -1;
        public bool Trying { get; set; }
    }

    private sealed record Tried(Waiter Waiter, LeaseAnswer? Answer);

    private sealed record Tick
    {
        public static Tick Instance { get; } = new();
    }
}
