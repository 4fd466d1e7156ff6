using Akka.Actor;
using Concentrator.Cluster.Membership;
using Concentrator.Ports.Management;

namespace Concentrator.Cluster.Inventory;

/// <summary>The other nodes' ports for the API: the inventory says which nodes are up and what they own; the nodes are asked for the details.</summary>
public sealed class ClusterOtherNodes(ClusterNode node) : IOtherNodes
{
    private static readonly TimeSpan ListTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan ActionTimeout = TimeSpan.FromSeconds(10);

    public string? LocalNode => node.Name;

    public async Task<IReadOnlyList<NodePortList>> ListAsync(CancellationToken cancel)
    {
        if (node.Current is not { } current)
        {
            return [];
        }

        var others = node.Inventory.Nodes.Where(n => n.Node != node.Name && !n.Witness).ToList();
        var answers = await Task.WhenAll(others.Select(async n =>
        {
            try
            {
                return await ClusterNodeCalls.Ask(current.System, n.Address, ListPorts.Instance, ListTimeout, cancel).ConfigureAwait(false) is PortList list
                    ? new NodePortList(n.Node, list.Ports)
                    : null;
            }
            catch (AskTimeoutException)
            {
                return null;
            }
        })).ConfigureAwait(false);
        return [.. answers.OfType<NodePortList>()];
    }

    public async Task<NodeAnswer?> AskOwnerAsync(string port, object request, CancellationToken cancel)
    {
        if (node.Current is not { } current || node.Inventory.OwnerOf(port) is not { } owner || owner.Node == node.Name)
        {
            return null;
        }

        try
        {
            return new NodeAnswer(owner.Node, await ClusterNodeCalls.Ask(current.System, owner.Address, request, ActionTimeout, cancel).ConfigureAwait(false));
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }
}
