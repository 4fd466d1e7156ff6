using Concentrator.Cluster.Configuration;
using Akka.Actor;
using Akka.Hosting;
using Concentrator.Cluster.Inventory;
using Concentrator.Cluster.Leases;
using Concentrator.Cluster.Membership;
using Concentrator.Leases.Hosting;
using Concentrator.Leases.Service;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Hosting;
using Concentrator.Ports.Management;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Concentrator.Cluster.Hosting;

/// <summary>Wiring of the cluster part into the daemon's host.</summary>
public static class ClusterHostingExtensions
{
    /// <summary>
    /// With <c>concentrator.cluster</c> configured: the <see cref="ClusterNode"/> (a hosted service; register it after
    /// AddAkka, so it starts once the ports and the lease service run), lease requests routed to owners, and the other
    /// nodes' ports for the API. Without: nothing (a single host). <paramref name="akkaLogger"/> is the Akka logger
    /// type the daemon uses, so the cluster's log lines look like every other; <paramref name="apiUrl"/> is where this
    /// node's API answers (null when it serves none), which the other nodes' dashboards link to.
    /// </summary>
    public static IServiceCollection AddConcentratorCluster(this IServiceCollection services, ConcentratorSettings settings, string? apiUrl,
        Type? akkaLogger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.ClusterSettings() is not { } cluster)
        {
            return services;
        }

        services.AddSingleton(sp => new ClusterNode(cluster, async () =>
        {
            var system = sp.GetRequiredService<ActorSystem>();
            var ports = await sp.GetRequiredService<IRequiredActor<PortsSupervisorKey>>().GetAsync().ConfigureAwait(false);
            var leases = await sp.GetRequiredService<IRequiredActor<LeaseServiceKey>>().GetAsync().ConfigureAwait(false);
            return new LocalNode(cluster.NodeName, $"{cluster.Bind.Host}:{cluster.Bind.Port}", apiUrl,
                cluster.Witness, system, ports, leases);
        }, sp.GetRequiredService<ILoggerFactory>(), akkaLogger));
        services.AddHostedService(sp => sp.GetRequiredService<ClusterNode>());
        services.AddSingleton<LocalLeaseRequests>();
        services.AddSingleton<ILeaseRequests, ClusterLeaseRequests>();
        services.AddSingleton<IOtherNodes, ClusterOtherNodes>();
        return services;
    }
}
