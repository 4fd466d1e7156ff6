using Akka.Actor;
using Akka.Event;
using Concentrator.Ports.Management;

namespace Concentrator.Web.Events;

/// <summary>
/// Turns <see cref="PortChanged"/> events into snapshots for the <see cref="PortEventHub"/>. Changes are gathered
/// for <see cref="DashboardOptions.ChangeCoalescing"/>, then each changed port is asked for its snapshot, with one
/// ask per port in flight so an older snapshot never overtakes a newer one. Every
/// <see cref="DashboardOptions.CounterRefresh"/>, while a dashboard is open, every known port is fetched the same way
/// (its byte counters move without events). Asks are piped back; the actor never waits.
/// </summary>
internal sealed class PortWatcher : ReceiveActor, IWithTimers
{
    private readonly IActorRef _supervisor;
    private readonly PortEventHub _hub;
    private readonly DashboardOptions _options;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ITimerScheduler Timers { get; set; } = null!;

    public PortWatcher(IActorRef supervisor, PortEventHub hub, DashboardOptions options)
    {
        _supervisor = supervisor;
        _hub = hub;
        _options = options;

        Receive<PortChanged>(changed => MarkDirty(changed.Port));
        Receive<PortList>(list =>
        {
            foreach (var port in list.Ports)
            {
                _known.Add(port.Name);
                _hub.Publish(port);
            }
        });
        Receive<Status.Failure>(failure => _log.Warning("dashboard: the port list was not answered: {0}", failure.Cause.Message));
        Receive<Flush>(_ =>
        {
            foreach (var port in _dirty.Where(p => !_inFlight.Contains(p)).ToList())
            {
                _dirty.Remove(port);
                _inFlight.Add(port);
                _supervisor.Ask<object>(new GetPort(port), _options.AskTimeout)
                    .PipeTo(Self, success: answer => new Fetched(port, answer), failure: e => new Fetched(port, e));
            }
        });
        Receive<Fetched>(fetched =>
        {
            _inFlight.Remove(fetched.Port);
            switch (fetched.Answer)
            {
                case PortSnapshot snapshot:
                    _known.Add(snapshot.Name);
                    _hub.Publish(snapshot);
                    break;
                case PortNotFound:
                    _known.Remove(fetched.Port);
                    _hub.Removed(fetched.Port);
                    break;
                case Exception e:
                    _log.Debug("dashboard: no snapshot of port {0}: {1}", fetched.Port, e.Message);
                    break;
            }

            if (_dirty.Contains(fetched.Port))
            {
                ScheduleFlush(); // it changed again while we asked
            }
        });
        Receive<Refresh>(_ =>
        {
            if (_hub.SubscriberCount == 0)
            {
                return;
            }

            foreach (var port in _known)
            {
                MarkDirty(port);
            }
        });
    }

    public static Props Props(IActorRef supervisor, PortEventHub hub, DashboardOptions options) =>
        Akka.Actor.Props.Create(() => new PortWatcher(supervisor, hub, options));

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(PortChanged));
        _supervisor.Ask<PortList>(ListPorts.Instance, _options.AskTimeout).PipeTo(Self);
        Timers.StartPeriodicTimer("refresh", Refresh.Instance, _options.CounterRefresh);
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void MarkDirty(string port)
    {
        _dirty.Add(port);
        ScheduleFlush();
    }

    private void ScheduleFlush()
    {
        if (!Timers.IsTimerActive("flush"))
        {
            Timers.StartSingleTimer("flush", Flush.Instance, _options.ChangeCoalescing);
        }
    }

    private sealed record Flush
    {
        public static Flush Instance { get; } = new();
    }

    private sealed record Refresh
    {
        public static Refresh Instance { get; } = new();
    }

    private sealed record Fetched(string Port, object Answer);
}
