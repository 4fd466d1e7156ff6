using Concentrator.Api.Auth;
using Concentrator.Cluster.Membership;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Concentrator.Api.Cluster;

/// <summary>/api/cluster: this node's view of the cluster — members, reachability, majority, and each node's ports and API.</summary>
public static class ClusterEndpoints
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/cluster", Get).WithTags("Cluster").RequireAuthorization(ApiPolicies.Read)
            .WithSummary("Members as this node sees them (status, reachable, witness), whether it is on the majority side, each node's port count");

    private static Results<Ok<ClusterStatusView>, ProblemHttpResult> Get(IServiceProvider services)
    {
        if (services.GetService<ClusterNode>() is not { } node)
        {
            return ApiProblems.NotFound("cluster", "this daemon is not part of a cluster (no concentrator.cluster section)");
        }

        var view = node.View;
        var inventory = node.Inventory.Nodes.ToDictionary(n => n.Address, StringComparer.Ordinal);
        return TypedResults.Ok(new ClusterStatusView(view.Self, node.Address, view.Joined, view.Majority, view.Leader,
        [
            .. view.Members.Select(m => new ClusterMemberView(m.Name, m.Address, m.Status, m.Reachable, m.Witness,
                inventory.TryGetValue(m.Address, out var entry) ? entry.Ports.Count : null, entry?.Api)),
        ]));
    }
}

/// <summary>What GET /api/cluster answers.</summary>
/// <param name="Self">This node's name.</param>
/// <param name="Address">This node's cluster address (host:port).</param>
/// <param name="Joined">Whether this node is an up member now (false while it joins or rejoins).</param>
/// <param name="Majority">Whether this node is on the majority side: only that side grants new leases.</param>
/// <param name="Leader">The cluster leader's address, as this node sees it.</param>
/// <param name="Members">Every member this node knows of.</param>
public sealed record ClusterStatusView(string Self, string Address, bool Joined, bool Majority, string? Leader, IReadOnlyList<ClusterMemberView> Members);

/// <summary>One member.</summary>
/// <param name="Name">Its node name.</param>
/// <param name="Address">Its cluster address.</param>
/// <param name="Status">joining, up, leaving, exiting, down.</param>
/// <param name="Reachable">Whether this node hears its heartbeats.</param>
/// <param name="Witness">A voting member without ports.</param>
/// <param name="Ports">How many ports its inventory entry lists (null: hidden or not yet replicated).</param>
/// <param name="Api">Its management API's URL, if it has one.</param>
public sealed record ClusterMemberView(string Name, string Address, string Status, bool Reachable, bool Witness, int? Ports, string? Api);
