using Concentrator.Cluster.Membership;

namespace Concentrator.Cluster.Inventory;

/// <summary>
/// The inventory as this node may trust it: the replicated entries of nodes that are up and reachable members now.
/// An entry of a node that left, was downed or is unreachable is hidden — its ports are not offered, and lease
/// requests for them are refused rather than sent into the void.
/// </summary>
public sealed class InventorySnapshot
{
    public static InventorySnapshot Empty { get; } = new([]);

    public InventorySnapshot(IReadOnlyList<NodeInventory> nodes) => Nodes = nodes;

    /// <summary>Visible nodes (witnesses included, with no ports), by name.</summary>
    public IReadOnlyList<NodeInventory> Nodes { get; }

    public static InventorySnapshot Visible(IReadOnlyDictionary<string, NodeInventory> entries, ClusterView view)
    {
        var visible = view.Members.Where(m => m.Trusted).Select(m => m.Address).ToHashSet(StringComparer.Ordinal);
        return new InventorySnapshot([.. entries.Values.Where(e => visible.Contains(e.Address)).OrderBy(e => e.Node, StringComparer.Ordinal)]);
    }

    /// <summary>Port names that more than one visible node lists ("name: node, node"); names must be unique across the cluster.</summary>
    public IReadOnlyList<string> Conflicts() =>
    [
        .. Nodes.SelectMany(n => n.Ports.Select(p => (Port: p.Name, n.Node))).GroupBy(x => x.Port, StringComparer.Ordinal)
            .Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(x => x.Node))}"),
    ];

    /// <summary>The node that owns <paramref name="port"/>, or null when no visible node has it.</summary>
    public NodeInventory? OwnerOf(string port) => Nodes.FirstOrDefault(n => n.Ports.Any(p => p.Name == port));

    /// <summary>The node whose port is held by lease <paramref name="leaseId"/>, or null when the inventory does not (yet) show it.</summary>
    public NodeInventory? OwnerOfLease(string leaseId) => Nodes.FirstOrDefault(n => n.Ports.Any(p => p.Lease?.Id == leaseId));

    /// <summary>Ports that have every tag, with their node, free ones first (then by node and name).</summary>
    public IReadOnlyList<(NodeInventory Node, InventoryPort Port)> WithTags(IReadOnlyCollection<string> tags) =>
    [
        .. Nodes.SelectMany(n => n.Ports.Select(p => (Node: n, Port: p)))
            .Where(x => tags.All(t => x.Port.Tags.Contains(t, StringComparer.Ordinal)))
            .OrderBy(x => x.Port.Lease is null ? 0 : 1).ThenBy(x => x.Node.Node, StringComparer.Ordinal).ThenBy(x => x.Port.Name, StringComparer.Ordinal),
    ];
}
