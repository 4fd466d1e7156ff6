using Akka.Actor;
using Akka.Cluster;
using Concentrator.Leases;

namespace Concentrator.Cluster.Leases;

/// <summary>
/// This node's side of lease requests by tags: it sends them to the tag matcher (through the singleton proxy) and
/// answers the asker when the matcher does. It keeps every request until it is answered or its wait is over, and
/// sends them all again whenever membership changes: if the singleton's node died, its successor starts empty and
/// learns the waiters from here (the matcher keeps one waiter per key, so a request it already has is not doubled).
/// </summary>
public sealed class TagRequester : ReceiveActor, IWithTimers
{
    public const string Name = "tag-requester";

    /// <summary>After the wait, how long the matcher's answer (a grant already on its way) is still waited for.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly IActorRef _matcher;

    public ITimerScheduler Timers { get; set; } = null!;

    public TagRequester(IActorRef matcher)
    {
        _matcher = matcher;
        Receive<AcquireLease>(acquire =>
        {
            var key = acquire.Holder + "\n" + acquire.RequestId;
            if (_pending.TryGetValue(key, out var already))
            {
                already.Askers.Add(Sender); // the same request again (a client's retry): one answer for both
                return;
            }

            var pending = new Pending(acquire, DateTime.UtcNow + acquire.Wait, [Sender]);
            _pending[key] = pending;
            Send(key, pending);
            Timers.StartSingleTimer(key, new GiveUp(key), acquire.Wait + Grace);
        });
        Receive<TagMatchAnswer>(answer =>
        {
            if (_pending.Remove(answer.Key, out var pending))
            {
                Timers.Cancel(answer.Key);
                pending.Askers.ForEach(a => a.Tell(answer.Answer));
            }
        });
        Receive<GiveUp>(giveUp =>
        {
            if (_pending.Remove(giveUp.Key, out var pending))
            {
                _matcher.Tell(new CancelMatch(giveUp.Key));
                pending.Askers.ForEach(a => a.Tell(new LeaseNotGranted("the tag matcher did not answer within the wait (the cluster may be changing)")));
            }
        });
        Receive<ClusterEvent.IMemberEvent>(_ => SendAll());
        Receive<ClusterEvent.IReachabilityEvent>(_ => SendAll());
    }

    public static Props Props(IActorRef matcher) => Akka.Actor.Props.Create(() => new TagRequester(matcher));

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private void SendAll()
    {
        foreach (var (key, pending) in _pending)
        {
            Send(key, pending);
        }
    }

    private void Send(string key, Pending pending)
    {
        var remaining = pending.Deadline - DateTime.UtcNow;
        _matcher.Tell(new MatchTags(key, pending.Request, remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, Self));
    }

    private sealed record Pending(AcquireLease Request, DateTime Deadline, List<IActorRef> Askers);

    private sealed record GiveUp(string Key);
}
