using Akka.Actor;
using Akka.Event;
using Concentrator.Cluster.Membership;
using Concentrator.Leases;
using Concentrator.Ports.Management;

namespace Concentrator.Cluster.Leases;

/// <summary>
/// This node's door for the other nodes, at <c>/user/gateway</c> of the cluster actor system: lease requests for its
/// ports (the lease service here decides them: this node is their authority) and management requests for its ports,
/// passed to the data plane's actors and answered with their answer. A node that is not on the majority side grants
/// nothing new (renewals and releases still work: they never hand a port to someone else).
/// <para>
/// Only current members pass: a request from a system that is not an up (or leaving) member of this cluster now — one
/// that reached the cluster port without joining, or a member that was downed — is dropped unanswered and logged once
/// per address. Limits the ports enforce (a break's length) hold for every caller.
/// </para>
/// </summary>
public sealed class NodeGateway : ReceiveActor
{
    public const string Name = "gateway";

    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    private readonly Func<ClusterView> _view;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<Address> _refused = [];

    public NodeGateway(LocalNode local, Func<ClusterView> view)
    {
        _view = view;
        Receive<AcquireLease>(acquire =>
        {
            if (!view().Majority)
            {
                Sender.Tell(NotMajority(view()));
                return;
            }

            Pass(local.Leases, acquire, acquire.Wait + AskTimeout);
        });
        Receive<RenewLease>(m => Pass(local.Leases, m, AskTimeout));
        Receive<ReleaseLease>(m => Pass(local.Leases, m, AskTimeout));
        Receive<RevokeLease>(m => Pass(local.Leases, m, AskTimeout));
        Receive<ListLeases>(m => Pass(local.Leases, m, AskTimeout));
        Receive<ListPorts>(m => Pass(local.Ports, m, AskTimeout));
        Receive<GetPort>(m => Pass(local.Ports, m, AskTimeout));
        Receive<KickSession>(m => Pass(local.Ports, m, AskTimeout));
        Receive<SetLine>(m => Pass(local.Ports, m, AskTimeout));
        Receive<SendBreakTo>(m => Pass(local.Ports, m, AskTimeout));
        Receive<ForceWriteLock>(m => Pass(local.Ports, m, AskTimeout));
        Receive<Ports.Power.SwitchPower>(m => Pass(local.Ports, m, Ports.Power.PowerSettings.DefaultTimeout + AskTimeout));
    }

    public static Props Props(LocalNode local, Func<ClusterView> view) => Akka.Actor.Props.Create(() => new NodeGateway(local, view));

    /// <summary>What a node off the majority side answers an acquire.</summary>
    public static LeaseUnavailable NotMajority(ClusterView view) => new(view.Joined
        ? $"node {view.Self} is cut off from the majority of the cluster ({view.Members.Count(m => m.Reachable)} of {view.Members.Count} members reachable): no new leases until it is back"
        : $"node {view.Self} is not a member of the cluster now (it is joining or rejoining): no new leases until it is");

    /// <summary>Refuses every message from a sender that is not a current member before any handler sees it.</summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        if (FromMember(Sender))
        {
            return base.AroundReceive(receive, message);
        }

        if (_refused.Count < 1000 && _refused.Add(Sender.Path.Address)) // bounded: a flood of addresses logs the first thousand
        {
            _log.Warning("cluster gateway: dropped {0} from {1}, which is not a member of this cluster now", message.GetType().Name, Sender.Path.Address);
        }

        return true;
    }

    /// <summary>
    /// An actor of this node, or one of an up or leaving member as this node's membership view has it now. A message
    /// with no sender (dead letters) is refused: it could come from anywhere, and members always ask.
    /// </summary>
    private bool FromMember(IActorRef sender)
    {
        if (sender is null || sender.Equals(Context.System.DeadLetters))
        {
            return false;
        }

        var address = sender.Path.Address;
        if (address.Host is null || address.Equals(((ExtendedActorSystem)Context.System).Provider.DefaultAddress))
        {
            return true; // this node's own actors
        }

        var hostPort = ClusterView.HostPort(address);
        return _view().Members.Any(m => m.Address == hostPort && m.Status is "up" or "leaving");
    }

    private void Pass(IActorRef target, object message, TimeSpan timeout)
    {
        var sender = Sender;
        target.Ask<object>(message, timeout).PipeTo(sender, success: answer => answer,
            failure: e => new LeaseUnavailable($"node {Self.Path.Address.Host}:{Self.Path.Address.Port} did not answer in time: {e.Message}"));
    }
}
