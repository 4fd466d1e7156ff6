using Akka.Actor;

namespace Concentrator.Cluster.Membership;

/// <summary>
/// What the cluster part knows of the data plane on this node: its actor system and the actors it asks (the ports
/// supervisor, the lease service). They live in another actor system of this process, so a restart of the cluster
/// part never touches them.
/// </summary>
public sealed record LocalNode(string Name, string Address, string? Api, bool Witness, ActorSystem System, IActorRef Ports, IActorRef Leases);
