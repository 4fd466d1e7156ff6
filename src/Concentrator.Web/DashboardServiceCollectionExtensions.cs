using Concentrator.Ports.Management;
using Concentrator.Web.Access;
using Concentrator.Web.Assets;
using Concentrator.Web.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Concentrator.Web;

/// <summary>Registers the dashboard's services in a host that also runs the actor system (Akka.Hosting) with the ports.</summary>
public static class DashboardServiceCollectionExtensions
{
    /// <summary>
    /// Adds what <see cref="DashboardEndpointRouteBuilderExtensions.MapConcentratorDashboard"/> serves from: the
    /// embedded assets, the way to the ports supervisor (<c>IRequiredActor&lt;PortsSupervisorKey&gt;</c>, so
    /// <c>AddConcentratorPorts</c> must be part of the host's <c>AddAkka</c>), the live event hub, and the default
    /// <see cref="IDashboardAuthorizer"/> (<see cref="LoopbackDashboardAuthorizer"/>) unless one is registered already;
    /// one registered later replaces it too.
    /// </summary>
    public static IServiceCollection AddConcentratorDashboard(this IServiceCollection services, Action<DashboardOptions>? configure = null)
    {
        var options = services.AddOptions<DashboardOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton<IDashboardAuthorizer, LoopbackDashboardAuthorizer>();
        services.TryAddSingleton<EmbeddedAssets>();
        services.AddPortsGateway();
        services.TryAddSingleton<PortEventHub>();
        services.TryAddSingleton<ClusterFeed>(); // does nothing unless a ClusterNode is registered (concentrator.cluster)
        return services;
    }
}
