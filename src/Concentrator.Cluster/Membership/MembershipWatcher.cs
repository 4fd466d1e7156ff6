using Akka.Actor;
using Akka.Cluster;

namespace Concentrator.Cluster.Membership;

/// <summary>
/// Keeps <see cref="ClusterView"/> current from the cluster's events themselves (Cluster.State is refreshed by
/// another actor and may not have seen an event yet when it reaches us): every change hands a new view to the
/// publish callback (a volatile field other threads read).
/// </summary>
public sealed class MembershipWatcher : ReceiveActor
{
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly Dictionary<UniqueAddress, Member> _members = [];
    private readonly HashSet<UniqueAddress> _unreachable = [];
    private Address? _leader;

    public MembershipWatcher(string self, Action<ClusterView> publish)
    {
        void Publish() => publish(ClusterView.From(self, _members.GetValueOrDefault(_cluster.SelfUniqueAddress), _members.Values, _unreachable, _leader));

        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            _members.Clear();
            _unreachable.Clear();
            foreach (var member in state.Members)
            {
                _members[member.UniqueAddress] = member;
            }

            _unreachable.UnionWith(state.Unreachable.Select(m => m.UniqueAddress));
            _leader = state.Leader;
            Publish();
        });
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            _members.Remove(removed.Member.UniqueAddress);
            _unreachable.Remove(removed.Member.UniqueAddress);
            Publish();
        });
        Receive<ClusterEvent.IMemberEvent>(e =>
        {
            _members[e.Member.UniqueAddress] = e.Member;
            Publish();
        });
        Receive<ClusterEvent.UnreachableMember>(e =>
        {
            _unreachable.Add(e.Member.UniqueAddress);
            Publish();
        });
        Receive<ClusterEvent.ReachableMember>(e =>
        {
            _unreachable.Remove(e.Member.UniqueAddress);
            Publish();
        });
        Receive<ClusterEvent.LeaderChanged>(e =>
        {
            _leader = e.Leader;
            Publish();
        });
        ReceiveAny(_ => { });
    }

    public static Props Props(string self, Action<ClusterView> publish) => Akka.Actor.Props.Create(() => new MembershipWatcher(self, publish));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));

    protected override void PostStop() => _cluster.Unsubscribe(Self);
}
