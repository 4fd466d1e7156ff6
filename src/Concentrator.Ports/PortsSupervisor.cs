using Akka.Actor;
using Akka.Event;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Discovery;
using Concentrator.Ports.Listener;
using Concentrator.Ports.Port;

namespace Concentrator.Ports;

/// <summary>
/// The root of the port tree: one <see cref="PortActor"/> per configured port. A port that throws is resumed,
/// keeping its sessions: a bug in one message must not hang up every console on that port, let alone others.
/// </summary>
public sealed class PortsSupervisor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public PortsSupervisor(ConcentratorSettings settings, ListenerBinder.BoundListeners listeners)
    {
        foreach (var port in settings.Ports)
        {
            Context.ActorOf(PortActor.Props(port, listeners.ByPort[port.Name]), ActorName(port.Name));
        }

        if (settings.Discovery is not null)
        {
            Context.ActorOf(DiscoveryActor.Props(settings, Self), "discovery");
        }

        Receive<AddPort>(add =>
        {
            if (Context.Child(ActorName(add.Settings.Name)).IsNobody())
            {
                Context.ActorOf(PortActor.Props(add.Settings, add.ListenSockets), ActorName(add.Settings.Name));
            }
            else
            {
                foreach (var socket in add.ListenSockets)
                {
                    socket.Dispose();
                }
            }
        });
    }

    public static Props Props(ConcentratorSettings settings, ListenerBinder.BoundListeners listeners) =>
        Akka.Actor.Props.Create(() => new PortsSupervisor(settings, listeners));

    /// <summary>Actor names allow a restricted character set; port names are user text.</summary>
    public static string ActorName(string port) => "port-" + Uri.EscapeDataString(port);

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(e =>
    {
        _log.Error(e, "a port actor failed; resuming it");
        return Directive.Resume;
    });
}
