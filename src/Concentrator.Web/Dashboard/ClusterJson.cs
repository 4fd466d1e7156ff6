using System.Net;
using Concentrator.Cluster.Inventory;
using Concentrator.Cluster.Membership;

namespace Concentrator.Web.Dashboard;

/// <summary>
/// The dashboard's <c>cluster</c> event: membership as this node sees it, and the other nodes' ports from the
/// replicated inventory (a summary: the details and every action live on the owner's own dashboard).
/// </summary>
/// <param name="Self">This node's name.</param>
/// <param name="Joined">Whether this node is an up member now.</param>
/// <param name="Majority">Whether it is on the majority side (the only side that grants new leases).</param>
/// <param name="Nodes">Every member, this node first when it is not (yet) one.</param>
/// <param name="Ports">The ports of the other visible (up, reachable) nodes, by node and name.</param>
public sealed record ClusterJson(string Self, bool Joined, bool Majority, IReadOnlyList<NodeJson> Nodes, IReadOnlyList<RemotePortJson> Ports)
{
    public static ClusterJson From(ClusterNode node)
    {
        var view = node.View;
        var inventory = node.Inventory.Nodes;
        var entries = inventory.ToDictionary(n => n.Address, StringComparer.Ordinal);
        var nodes = view.Members.Select(m =>
        {
            var entry = entries.GetValueOrDefault(m.Address);
            return new NodeJson(m.Name, m.Address, m.Status, m.Reachable, m.Witness, m.Address == node.Address,
                entry?.Ports.Count, entry is null ? null : DashboardUrl(entry));
        }).ToList();
        if (!nodes.Any(n => n.Self))
        {
            nodes.Insert(0, new NodeJson(node.Name, node.Address, "not joined", true, false, true, null, null));
        }

        var ports = inventory.Where(n => n.Address != node.Address && !n.Witness)
            .SelectMany(n => n.Ports.Select(p => new RemotePortJson(n.Node, p.Name, p.State, p.Tags, p.Listeners, p.Sessions,
                p.Lease?.Holder, p.Lease?.Expires, DashboardUrl(n))))
            .OrderBy(p => p.Node, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal)
            .ToList();
        return new ClusterJson(view.Self, view.Joined, view.Majority, nodes, ports);
    }

    /// <summary>
    /// The node's dashboard: its API's URL, when that is an http(s) URL (an entry is another node's claim, and a page
    /// must never be handed a javascript: link). An API bound to every address (0.0.0.0, ::) is reached at the host of
    /// the node's cluster address instead.
    /// </summary>
    public static string? DashboardUrl(NodeInventory entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!Uri.TryCreate(entry.Api, UriKind.Absolute, out var api) || api.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(api.UserInfo))
        {
            return null;
        }

        var url = new UriBuilder(api) { Path = "/", Query = "", Fragment = "" };
        if (IPAddress.TryParse(api.Host.Trim('[', ']'), out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)))
        {
            var colon = entry.Address.LastIndexOf(':');
            var host = colon > 0 ? entry.Address[..colon].Trim('[', ']') : entry.Address;
            url.Host = IPAddress.TryParse(host, out var hostIp) && hostIp.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{host}]" : host;
        }

        return url.Uri.AbsoluteUri;
    }
}

/// <summary>One member in the nodes strip.</summary>
/// <param name="Name">Its node name.</param>
/// <param name="Address">Its cluster address (host:port).</param>
/// <param name="Status">joining, up, leaving, exiting, down (or "not joined" for this node outside the cluster).</param>
/// <param name="Reachable">Whether this node hears its heartbeats.</param>
/// <param name="Witness">A voting member without ports.</param>
/// <param name="Self">This node.</param>
/// <param name="Ports">How many ports its inventory entry lists (null: hidden or not yet replicated).</param>
/// <param name="Dashboard">Its own dashboard's URL, when its entry names an API.</param>
public sealed record NodeJson(string Name, string Address, string Status, bool Reachable, bool Witness, bool Self, int? Ports, string? Dashboard);

/// <summary>Another node's port as the inventory shows it: read-only here.</summary>
public sealed record RemotePortJson(string Node, string Name, string State, IReadOnlyList<string> Tags, IReadOnlyList<string> Listeners,
    int Sessions, string? LeaseHolder, DateTimeOffset? LeaseExpires, string? Dashboard);
