using Concentrator.Cluster.Membership;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Concentrator.Api.Health;

/// <summary>
/// In a cluster: healthy while this node is an up member on the majority side; degraded (never unhealthy: the ports
/// still serve) while it joins, rejoins or is cut off — it grants no new leases then. A single host has nothing to check.
/// </summary>
public sealed class ClusterHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (services.GetService<ClusterNode>() is not { } node)
        {
            return Task.FromResult(HealthCheckResult.Healthy("not part of a cluster"));
        }

        var view = node.View;
        var members = $"{view.Members.Count(m => m.Reachable && m.Status == "up")} of {view.Members.Count} member(s) up and reachable";
        return Task.FromResult(
            !view.Joined ? HealthCheckResult.Degraded($"node {view.Self} is not a cluster member now (joining or rejoining); no new leases")
            : !view.Majority ? HealthCheckResult.Degraded($"node {view.Self} is cut off from the majority ({members}); no new leases")
            : HealthCheckResult.Healthy($"node {view.Self}: {members}"));
    }
}
