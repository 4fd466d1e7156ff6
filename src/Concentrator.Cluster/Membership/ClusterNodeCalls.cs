using Akka.Actor;
using Concentrator.Cluster.Leases;

namespace Concentrator.Cluster.Membership;

/// <summary>Asking another node's <see cref="NodeGateway"/> by its cluster address.</summary>
internal static class ClusterNodeCalls
{
    public static Task<object> Ask(ActorSystem system, string hostPort, object request, TimeSpan timeout, CancellationToken cancel)
    {
        var path = $"{ClusterConfig.AddressOf(system, hostPort)}/user/{NodeGateway.Name}";
        return system.ActorSelection(path).Ask<object>(request, timeout, cancel);
    }
}
