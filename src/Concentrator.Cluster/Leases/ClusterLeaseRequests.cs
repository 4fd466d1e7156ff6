using Akka.Actor;
using Concentrator.Cluster.Membership;
using Concentrator.Leases;
using Concentrator.Leases.Service;

namespace Concentrator.Cluster.Leases;

/// <summary>
/// Lease requests in a cluster. The node that owns a port is its only authority: a request for a port goes to its
/// owner's lease service (this node's own, or through the owner's <see cref="NodeGateway"/>); a request by tags goes
/// to the tag matcher singleton, which has an owner grant. Nothing is decided from replicated data: the inventory only
/// says where to ask. A node off the majority side answers acquires "unavailable" (no new grants there).
/// </summary>
public sealed class ClusterLeaseRequests(ClusterNode node, LocalLeaseRequests local) : ILeaseRequests
{
    public async Task<object?> AskAsync(object request, TimeSpan timeout, CancellationToken cancel)
    {
        switch (request)
        {
            case AcquireLease when !node.View.Majority:
                return NodeGateway.NotMajority(node.View);
            case AcquireLease { Port: { } port } acquire:
                return node.Inventory.OwnerOf(port) is { } owner && owner.Node != node.Name
                    ? await AskNodeAsync(owner.Address, acquire, timeout, cancel).ConfigureAwait(false)
                    : await local.AskAsync(acquire, timeout, cancel).ConfigureAwait(false);
            case AcquireLease acquire:
                return await AskByTagsAsync(acquire with { RequestId = acquire.RequestId ?? Guid.NewGuid().ToString("N") }, timeout, cancel)
                    .ConfigureAwait(false);
            case RenewLease renew:
                return await AskLeaseOwnerAsync(renew.LeaseId, renew, timeout, cancel).ConfigureAwait(false);
            case ReleaseLease release:
                return await AskLeaseOwnerAsync(release.LeaseId, release, timeout, cancel).ConfigureAwait(false);
            case RevokeLease revoke:
                return await AskLeaseOwnerAsync(revoke.LeaseId, revoke, timeout, cancel).ConfigureAwait(false);
            case ListLeases list:
                return await ListEverywhereAsync(list, timeout, cancel).ConfigureAwait(false);
            default:
                return await local.AskAsync(request, timeout, cancel).ConfigureAwait(false);
        }
    }

    private async Task<object?> AskByTagsAsync(AcquireLease acquire, TimeSpan timeout, CancellationToken cancel)
    {
        if (node.Current is not { } current)
        {
            return NodeGateway.NotMajority(node.View);
        }

        try
        {
            return await current.TagRequester.Ask<object>(acquire, timeout, cancel).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    /// <summary>
    /// Renew, release, revoke: the lease's port names its owner; the inventory may not show a lease granted a moment
    /// ago, so an id it does not know is asked of this node, then of every other node until one knows it.
    /// </summary>
    private async Task<object?> AskLeaseOwnerAsync(string leaseId, object request, TimeSpan timeout, CancellationToken cancel)
    {
        var inventory = node.Inventory;
        if (inventory.OwnerOfLease(leaseId) is { } owner)
        {
            return owner.Node == node.Name
                ? await local.AskAsync(request, timeout, cancel).ConfigureAwait(false)
                : await AskNodeAsync(owner.Address, request, timeout, cancel).ConfigureAwait(false);
        }

        var answer = await local.AskAsync(request, timeout, cancel).ConfigureAwait(false);
        if (answer is not LeaseNotFound)
        {
            return answer;
        }

        foreach (var other in inventory.Nodes.Where(n => n.Node != node.Name && !n.Witness))
        {
            var remote = await AskNodeAsync(other.Address, request, timeout, cancel).ConfigureAwait(false);
            if (remote is not (LeaseNotFound or null))
            {
                return remote;
            }
        }

        return answer;
    }

    /// <summary>The leases of every reachable node, merged by port; a node that does not answer in time is left out.</summary>
    private async Task<object?> ListEverywhereAsync(ListLeases list, TimeSpan timeout, CancellationToken cancel)
    {
        var others = node.Inventory.Nodes.Where(n => n.Node != node.Name && !n.Witness)
            .Select(n => AskNodeAsync(n.Address, list, timeout, cancel)).ToList();
        var mine = await local.AskAsync(list, timeout, cancel).ConfigureAwait(false);
        if (mine is not LeaseList own)
        {
            return mine;
        }

        var answers = await Task.WhenAll(others).ConfigureAwait(false);
        var all = answers.OfType<LeaseList>().Prepend(own).ToList();
        return new LeaseList([.. all.SelectMany(l => l.Leases).OrderBy(l => l.Port, StringComparer.Ordinal)],
            [.. all.SelectMany(l => l.Waiting)]);
    }

    private async Task<object?> AskNodeAsync(string address, object request, TimeSpan timeout, CancellationToken cancel)
    {
        if (node.Current is not { } current)
        {
            return NodeGateway.NotMajority(node.View);
        }

        try
        {
            return await ClusterNodeCalls.Ask(current.System, address, request, timeout, cancel).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }
}
