using Akka.Actor;
using Akka.Hosting;
using Concentrator.Leases.Configuration;
using Concentrator.Leases.Domain;
using Concentrator.Leases.Service;
using Concentrator.Leases.Store;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Hosting;

namespace Concentrator.Leases.Hosting;

/// <summary>Registry key for the lease service.</summary>
public sealed class LeaseServiceKey;

/// <summary>Akka.Hosting wiring for leases.</summary>
public static class LeaseHostingExtensions
{
    /// <summary>
    /// Starts the lease service for the configured ports, with the store and limits of <c>concentrator.leases</c>
    /// (defaults when absent). Call after <see cref="ConcentratorHostingExtensions.AddConcentratorPorts"/>: the service
    /// tells ports their lease through the ports supervisor. The store is opened by the service, off its thread; a store
    /// that cannot be opened does not stop the daemon (lease requests are answered "unavailable" until it works).
    /// <paramref name="clusterNode"/> is this node's name in its cluster (its leases are kept apart in a shared
    /// PostgreSQL), or null for a single host.
    /// </summary>
    public static AkkaConfigurationBuilder AddConcentratorLeases(this AkkaConfigurationBuilder builder, ConcentratorSettings settings,
        string? clusterNode = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var leases = settings.LeaseSettings();
        return builder.WithActors((system, registry) =>
        {
            var ports = registry.TryGet<PortsSupervisorKey>(out var supervisor) ? supervisor : ActorRefs.Nobody;
            var options = new LeaseServiceOptions(LeaseStores.Create(leases.Store, clusterNode), LeaseLimits.From(leases),
                LeasablePorts.From(settings.Ports), ports, leases.RetryInterval, clock);
            registry.Register<LeaseServiceKey>(system.ActorOf(LeaseService.Props(options), "leases"));
        });
    }
}
