using Akka.Actor;
using Concentrator.Cluster.Membership;
using Concentrator.Leases;
using Concentrator.Ports.Management;

namespace Concentrator.Cluster.Leases;

/// <summary>
/// This node's door for the other nodes, at <c>/user/gateway</c> of the cluster actor system: lease requests for its
/// ports (the lease service here decides them: this node is their authority) and management requests for its ports,
/// passed to the data plane's actors and answered with their answer. A node that is not on the majority side grants
/// nothing new (renewals and releases still work: they never hand a port to someone else).
/// </summary>
public sealed class NodeGateway : ReceiveActor
{
    public const string Name = "gateway";

    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    public NodeGateway(LocalNode local, Func<ClusterView> view)
    {
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
    }

    public static Props Props(LocalNode local, Func<ClusterView> view) => Akka.Actor.Props.Create(() => new NodeGateway(local, view));

    /// <summary>What a node off the majority side answers an acquire.</summary>
    public static LeaseUnavailable NotMajority(ClusterView view) => new(view.Joined
        ? $"node {view.Self} is cut off from the majority of the cluster ({view.Members.Count(m => m.Reachable)} of {view.Members.Count} members reachable): no new leases until it is back"
        : $"node {view.Self} is not a member of the cluster now (it is joining or rejoining): no new leases until it is");

    private void Pass(IActorRef target, object message, TimeSpan timeout)
    {
        var sender = Sender;
        target.Ask<object>(message, timeout).PipeTo(sender, success: answer => answer,
            failure: e => new LeaseUnavailable($"node {Self.Path.Address.Host}:{Self.Path.Address.Port} did not answer in time: {e.Message}"));
    }
}
