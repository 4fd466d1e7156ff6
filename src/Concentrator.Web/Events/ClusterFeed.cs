using System.Text.Json;
using Concentrator.Cluster.Membership;
using Concentrator.Web.Dashboard;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Concentrator.Web.Events;

/// <summary>
/// In a cluster (a <see cref="ClusterNode"/> registered): the dashboards' <c>cluster</c> event. Every
/// <see cref="ClusterNode.Changed"/> (membership, reachability, or any node's inventory entry) schedules one rebuild
/// after <see cref="DashboardOptions.ClusterCoalescing"/>; the new JSON goes to every open dashboard when it differs
/// from the last one sent. Built from what this node already holds (the view and the replicated inventory): the
/// other nodes are never asked, however many dashboards are open. On a single host it does nothing.
/// </summary>
internal sealed class ClusterFeed : IDisposable
{
    private readonly ClusterNode? _node;
    private readonly PortEventHub _hub;
    private readonly TimeSpan _coalescing;
    private readonly Lock _gate = new();
    private string? _lastSent;
    private int _scheduled;

    public ClusterFeed(IServiceProvider services, PortEventHub hub, IOptions<DashboardOptions> options)
    {
        _node = services.GetService<ClusterNode>();
        _hub = hub;
        _coalescing = options.Value.ClusterCoalescing;
        if (_node is not null)
        {
            _node.Changed += OnChanged;
        }
    }

    /// <summary>
    /// The state now, for a dashboard that has just subscribed; null on a single host. The next rebuild is then sent
    /// even if it equals the last one sent, since this dashboard may have been shown a state in between.
    /// </summary>
    public string? Current()
    {
        if (_node is null)
        {
            return null;
        }

        lock (_gate)
        {
            _lastSent = null;
        }

        return Serialize(_node);
    }

    private static string Serialize(ClusterNode node) => JsonSerializer.Serialize(ClusterJson.From(node), DashboardJsonContext.Default.ClusterJson);

    /// <summary>Raised on the cluster's actor threads: only schedules the rebuild.</summary>
    private void OnChanged()
    {
        if (Interlocked.Exchange(ref _scheduled, 1) == 0)
        {
            _ = Task.Delay(_coalescing).ContinueWith(_ => Flush(), TaskScheduler.Default);
        }
    }

    private void Flush()
    {
        Volatile.Write(ref _scheduled, 0); // a change from now on schedules another rebuild
        lock (_gate) // built and posted under the lock: an older state never overtakes a newer one
        {
            var json = Serialize(_node!);
            if (json == _lastSent)
            {
                return;
            }

            _lastSent = json;
            _hub.PostCluster(json);
        }
    }

    public void Dispose()
    {
        if (_node is not null)
        {
            _node.Changed -= OnChanged;
        }
    }
}
