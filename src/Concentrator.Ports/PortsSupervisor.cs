using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Discovery;
using Concentrator.Ports.Listener;
using Concentrator.Ports.Management;
using Concentrator.Ports.Port;
using Concentrator.Ports.Security;

namespace Concentrator.Ports;

/// <summary>
/// The root of the port tree: one <see cref="PortActor"/> per configured or discovered port. Routes what operators
/// ask (management requests) to the port they name, and applies reloads. A port that throws is resumed, keeping
/// its sessions: a bug in one message must not hang up every console on that port, let alone others.
/// </summary>
public sealed class PortsSupervisor : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan SnapshotTimeout = TimeSpan.FromSeconds(5);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, PortSettings> _configured = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PortSettings> _discovered = new(StringComparer.Ordinal);
    private readonly DaemonSecurity _security; // one per daemon: per-source limits hold over all listeners of all ports

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="settings">The daemon's configuration.</param>
    /// <param name="listeners">The serial listeners' sockets, bound before the actor system started.</param>
    /// <param name="security">The daemon's limits and users, shared with its HTTP entry points; made here when null.</param>
    public PortsSupervisor(ConcentratorSettings settings, ListenerBinder.BoundListeners listeners, DaemonSecurity? security = null)
    {
        _security = security ?? new DaemonSecurity(settings.SecurityOrDefault);
        foreach (var port in settings.Ports)
        {
            _configured[port.Name] = port;
            Context.ActorOf(PortActor.Props(port, listeners.ByPort[port.Name], _security), ActorName(port.Name));
        }

        if (settings.Discovery is not null)
        {
            Context.ActorOf(DiscoveryActor.Props(settings, Self), "discovery");
        }

        if (listeners.SshEntry is { } sshEntry && settings.SecurityOrDefault.SshEntrySocket is { } sshPath)
        {
            Context.ActorOf(SshEntryListenerActor.Props(sshEntry, sshPath, Self, _security), "ssh-entry");
        }

        Receive<AddPort>(add =>
        {
            var name = add.Settings.Name;
            if (Context.Child(ActorName(name)).IsNobody())
            {
                _discovered[name] = add.Settings;
                Context.ActorOf(PortActor.Props(add.Settings, add.ListenSockets, _security), ActorName(name));
            }
            else if (!_discovered.ContainsKey(name) && !_configured.ContainsKey(name))
            {
                Timers.StartSingleTimer("add-" + name, add, TimeSpan.FromMilliseconds(500)); // its old port is still closing
            }
            else
            {
                foreach (var socket in add.ListenSockets)
                {
                    socket.Dispose();
                }
            }
        });
        Receive<RemovePort>(remove =>
        {
            if (_discovered.Remove(remove.Name))
            {
                Context.Child(ActorName(remove.Name)).Tell(new ClosePort(remove.Reason));
            }
        });
        Receive<ListPorts>(_ => ListAll());
        Receive<GetPort>(get => Route(get.Port, get));
        Receive<KickSession>(kick => Route(kick.Port, kick));
        Receive<SetLine>(set => Route(set.Port, set));
        Receive<SendBreakTo>(brk => Route(brk.Port, brk));
        Receive<ForceWriteLock>(force => Route(force.Port, force));
        Receive<Power.SwitchPower>(power => Route(power.Port, power));
        Receive<PortLeaseChanged>(lease => Route(lease.Port, lease)); // from the lease service
        Receive<ConnectClient>(connect => Route(connect.Port, connect));
        Receive<GetScrollback>(get => Route(get.Port, get));
        Receive<Automation.OpenCapture>(open => Route(open.Port, open));
        Receive<Automation.SendToPort>(send => Route(send.Port, send));
        Receive<Reload>(OnReload);
        Receive<SshEntryConnection>(OnSshEntry);
        Receive<SshEntryListPorts>(list => Sender.Tell(new SshEntryPortList(list.Client,
            SshEntryPortMenu.Lines(_configured.Values.Concat(_discovered.Values), list.Principal))));
    }

    /// <summary>An SSH-entry connection names its port: it joins that port like any client, or hears which ports there are.</summary>
    private void OnSshEntry(SshEntryConnection entry)
    {
        var child = Context.Child(ActorName(entry.Port));
        if (!child.IsNobody() && (_configured.ContainsKey(entry.Port) || _discovered.ContainsKey(entry.Port)))
        {
            child.Tell(entry.Connected);
            return;
        }

        Sender.Tell(new SshEntryPortUnknown(entry.Port, entry.User, entry.Client,
            [.. _configured.Keys.Concat(_discovered.Keys).Order(StringComparer.Ordinal)]));
    }

    public static Props Props(ConcentratorSettings settings, ListenerBinder.BoundListeners listeners, DaemonSecurity? security = null) =>
        Akka.Actor.Props.Create(() => new PortsSupervisor(settings, listeners, security));

    /// <summary>Actor names allow a restricted character set; port names are user text.</summary>
    public static string ActorName(string port) => "port-" + Uri.EscapeDataString(port);

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(e =>
    {
        _log.Error(e, "a port actor failed; resuming it");
        return Directive.Resume;
    });

    private void Route(string port, object request)
    {
        var child = Context.Child(ActorName(port));
        if (child.IsNobody() || !(_configured.ContainsKey(port) || _discovered.ContainsKey(port)))
        {
            Sender.Tell(new PortNotFound(port));
        }
        else
        {
            child.Forward(request);
        }
    }

    /// <summary>Asks every port for its snapshot off the actor thread; a port that does not answer in time is left out.</summary>
    private void ListAll()
    {
        var asks = _configured.Keys.Concat(_discovered.Keys)
            .Select(name => (Name: name, Port: Context.Child(ActorName(name))))
            .Where(p => !p.Port.IsNobody())
            .Select(p => p.Port.Ask<PortSnapshot>(new GetPort(p.Name), SnapshotTimeout)
                .ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default))
            .ToList();
        Task.WhenAll(asks).PipeTo(Sender, success: snapshots =>
            new PortList([.. snapshots.OfType<PortSnapshot>().OrderBy(s => s.Name, StringComparer.Ordinal)]));
    }

    /// <summary>
    /// Applies a new configuration of the configured ports (discovered ports are left alone). Every listener
    /// address the daemon does not have yet is bound first: if any bind fails, nothing changes. Then ports that
    /// left the configuration close, new ones start, and changed ones are reconfigured in place.
    /// </summary>
    private void OnReload(Reload reload)
    {
        var wanted = reload.Settings.Ports.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var name in wanted.Keys.Where(_discovered.ContainsKey))
        {
            problems.Add($"port '{name}': a discovered adapter already has this name");
        }

        foreach (var name in wanted.Keys.Where(n => !_configured.ContainsKey(n) && !Context.Child(ActorName(n)).IsNobody()))
        {
            problems.Add($"port '{name}': still closing after a previous reload; try again in a few seconds");
        }

        // Which port holds each address now, and which addresses each wanted port needs bound.
        var holders = new Dictionary<IPEndPoint, string>();
        var datagram = new Dictionary<IPEndPoint, bool>();
        foreach (var (name, port) in _configured.Concat(_discovered))
        {
            foreach (var listener in port.Listeners)
            {
                holders[listener.EndPoint] = name;
                datagram[listener.EndPoint] = listener.IsDatagram;
            }
        }

        // A bound socket is kept across a reload; a TCP one cannot become UDP, nor back.
        foreach (var port in reload.Settings.Ports)
        {
            foreach (var listener in port.Listeners.Where(l => datagram.TryGetValue(l.EndPoint, out var was) && was != l.IsDatagram))
            {
                problems.Add($"port '{port.Name}': {listener.EndPoint} changes between udp and tcp: remove the listener (reload), then add it back");
            }
        }

        var toBind = new List<(string Port, PortSettings Settings, ListenerSettings Listener)>();
        foreach (var port in reload.Settings.Ports)
        {
            foreach (var listener in port.Listeners)
            {
                if (!holders.TryGetValue(listener.EndPoint, out var holder))
                {
                    toBind.Add((port.Name, port, listener));
                }
                else if (holder != port.Name)
                {
                    problems.Add($"port '{port.Name}': {listener.EndPoint} is served by port '{holder}' now; " +
                        $"remove it there first (reload), then add it here");
                }
            }
        }

        var bound = new Dictionary<string, Dictionary<IPEndPoint, Socket>>(StringComparer.Ordinal);
        if (problems.Count == 0)
        {
            foreach (var (name, settings, listener) in toBind)
            {
                try
                {
                    var socket = ListenerBinder.Bind(settings, listener);
                    (bound.TryGetValue(name, out var sockets) ? sockets : bound[name] = [])[listener.EndPoint] = socket;
                }
                catch (ListenerBindException e)
                {
                    problems.Add(e.Message);
                }
            }
        }

        if (problems.Count > 0)
        {
            foreach (var socket in bound.Values.SelectMany(s => s.Values))
            {
                socket.Dispose();
            }

            _log.Warning("reload by {0} refused, nothing changed: {1}", reload.By, string.Join("; ", problems));
            Sender.Tell(new ReloadFailed(problems));
            return;
        }

        _security.Apply(reload.Settings.SecurityOrDefault); // users, limits and timeouts for new connections
        _security.Recordings?.Apply(Recording.RecordingSettingsAccess.RecordingSettings(reload.Settings)); // from each port's next recording
        var added = new List<string>();
        var removed = new List<string>();
        var changed = new List<string>();
        var unchanged = new List<string>();
        foreach (var name in _configured.Keys.Where(n => !wanted.ContainsKey(n)).ToList())
        {
            Context.Child(ActorName(name)).Tell(new ClosePort("was removed from the configuration"));
            _configured.Remove(name);
            removed.Add(name);
        }

        foreach (var (name, settings) in wanted)
        {
            var sockets = bound.GetValueOrDefault(name) ?? [];
            if (!_configured.TryGetValue(name, out var current))
            {
                Context.ActorOf(PortActor.Props(settings, [.. settings.Listeners.Select(l => sockets[l.EndPoint])], _security), ActorName(name));
                added.Add(name);
            }
            else if (current.SameAs(settings))
            {
                unchanged.Add(name);
            }
            else
            {
                Context.Child(ActorName(name)).Tell(new Reconfigure(settings, sockets));
                changed.Add($"{name} ({string.Join(", ", PortSettingsDiff.Keys(current, settings))})");
            }

            _configured[name] = settings;
        }

        _log.Info("reload by {0}: {1} added, {2} removed, {3} changed, {4} unchanged", reload.By, added.Count, removed.Count,
            changed.Count, unchanged.Count);
        Sender.Tell(new Reloaded(added, removed, changed, unchanged));
    }
}
