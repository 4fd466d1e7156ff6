using Akka.Hosting;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Listener;
using Concentrator.Ports.Security;

namespace Concentrator.Ports.Hosting;

/// <summary>Registry key for the ports supervisor.</summary>
public sealed class PortsSupervisorKey;

/// <summary>Akka.Hosting wiring for the port tree.</summary>
public static class ConcentratorHostingExtensions
{
    /// <summary>Starts the ports supervisor for the validated settings and the listeners bound for them.</summary>
    public static AkkaConfigurationBuilder AddConcentratorPorts(this AkkaConfigurationBuilder builder,
        ConcentratorSettings settings, ListenerBinder.BoundListeners listeners, DaemonSecurity? security = null) =>
        builder.WithActors((system, registry) =>
        {
            var supervisor = system.ActorOf(PortsSupervisor.Props(settings, listeners, security), "ports");
            registry.Register<PortsSupervisorKey>(supervisor);
        });
}
