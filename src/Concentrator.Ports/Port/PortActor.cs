using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Concentrator.Devices;
using Concentrator.Ports.Admission;
using Concentrator.Ports.Automation;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.ConsoleLog;
using Concentrator.Ports.DataPlane;
using Concentrator.Ports.DeviceLink;
using Concentrator.Ports.Listener;
using Concentrator.Ports.Metrics;
using Concentrator.Ports.Security;
using Concentrator.Ports.Sharing;

namespace Concentrator.Ports.Port;

/// <summary>
/// The stable actor of one serial port. Owns the sessions, the fan-out of device output, the line settings in
/// effect and who may write; never does I/O itself. The device lives in a child <see cref="DeviceLinkActor"/>
/// (which times its own reopens), so a device restart never drops a session. Client bytes and device commands move
/// through the port's <see cref="PortDataPlane"/>, whose state, permits and slots this actor decides. Whether a
/// client joins, and how, is decided by <see cref="PortAdmission"/>; line settings and control lines are kept by
/// <see cref="LineSettingsCoalescer"/> and <see cref="ControlLines{TOwner}"/>.
/// </summary>
public sealed partial class PortActor : ReceiveActor, IWithTimers
{
    private readonly IReadOnlyList<Socket> _listenSockets;
    private readonly DaemonSecurity _security; // shared by every port: per-source limits, users, refusal log
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<IActorRef, SessionEntry> _sessions = [];
    private readonly Dictionary<IActorRef, ListenerSettings> _joining = []; // connected, not yet admitted
    private readonly Dictionary<IActorRef, Session.SessionTerminal> _joiningTerminals = []; // their terminal sizes, when told
    private readonly Dictionary<IPEndPoint, IActorRef> _listeners = [];
    private readonly HashSet<IActorRef> _behind = []; // backpressure sessions whose output queue is full
    private readonly HashSet<IActorRef> _modemWatchers = []; // sessions that want modem-input changes (the device is read only then)
    private readonly DeviceOutputHub _output; // device output straight from the reader thread to the sessions
    private readonly PortDataPlane _plane; // and client bytes and device commands, in one order, to the device
    private readonly LineSettingsCoalescer _line;
    private readonly ControlLines<IActorRef> _control = new();
    private WritePermits _permits = WritePermits.None; // what the plane enforces: sessions that may write now
    private readonly PortMetrics _metrics;
    private readonly List<string> _listenersDown = []; // listeners that stopped on their own (health, snapshot)
    private PortSettings _settings; // replaced by a reload (see PortActor.Reconfigure.cs)
    private PortAdmission _admission;
    private Scrollback _scrollback;
    private WriteArbiter<IActorRef> _arbiter;
    private IActorRef _linkChild = ActorRefs.Nobody;
    private int _linkGeneration;
    private int _listenerGeneration;
    private ConsoleLogWriter? _consoleLog;
    private ModemStatus _modem = SteadyCable;
    private IActorRef? _link;
    private string? _kernelNode;
    private string? _lastOfflineReason;
    private int _nextSessionId;
    private int _nextConnection;
    private long _droppedByPastSessions;
    private long _reopens;
    private bool _everOnline;
    private long _sessionsOpened;
    private long _sessionsRefused;
    private DateTimeOffset _stateSince = DateTimeOffset.UtcNow;
    private DeviceState _reportedState = DeviceState.Opening; // the last state announced (logs, metrics, subscribers)

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>What a device without modem inputs (a pty, many USB adapters' CTS-less modes) reports: a connected cable.</summary>
    private const ModemStatus SteadyCable = ModemStatus.ClearToSend | ModemStatus.DataSetReady | ModemStatus.CarrierDetect;

    public PortActor(PortSettings settings, IReadOnlyList<Socket> listenSockets, DaemonSecurity? security = null)
    {
        _settings = settings;
        _listenSockets = listenSockets;
        _metrics = new PortMetrics(settings.Name);
        _security = security ?? DaemonSecurity.Unlimited();
        _line = new LineSettingsCoalescer(settings.Line);
        _admission = new PortAdmission(settings);
        _scrollback = new Scrollback(settings.Scrollback);
        _arbiter = new WriteArbiter<IActorRef>(settings.WritePolicy);
        _capture = new OutputCapture(settings.Capture);
        _output = new DeviceOutputHub(Self, Context.System.Scheduler, _metrics, _capture);
        _plane = new PortDataPlane(onWritten: _metrics.Written);
        Become(Opening);
    }

    public static Props Props(PortSettings settings, IReadOnlyList<Socket> listenSockets, DaemonSecurity? security = null) =>
        Akka.Actor.Props.Create(() => new PortActor(settings, listenSockets, security));

    // The device's life, one receive per state (Closing, when the port leaves the configuration, is in
    // PortActor.Reconfigure.cs). The link sends LinkReady before every open attempt, DeviceOnline or DeviceOffline after.

    /// <summary>The link is opening the device (at start, on each retry, after a reload moved it): typed bytes are held.</summary>
    private void Opening()
    {
        Receive<LinkReady>(_ => OnLinkReady());
        Receive<DeviceOnline>(online =>
        {
            if (OnDeviceOnline(online))
            {
                Become(Online);
            }
        });
        GoesOfflineOnReport();
        Serving();
    }

    /// <summary>The device is open: bytes and commands flow through the data plane.</summary>
    private void Online()
    {
        Receive<LinkReady>(_ =>
        {
            OnLinkReady(); // a link that crashed and restarted opens the device again
            Become(Opening);
        });
        GoesOfflineOnReport();
        Serving();
    }

    /// <summary>A report that the device went away (or could not be opened) leads to Offline.</summary>
    private void GoesOfflineOnReport() => Receive<DeviceOffline>(offline =>
    {
        if (OnDeviceOffline(offline))
        {
            Become(Offline);
        }
    });

    /// <summary>The device is gone; the link retries on its own (backoff, or at once when its path watch sees it back).</summary>
    private void Offline()
    {
        Receive<LinkReady>(_ =>
        {
            OnLinkReady();
            Become(Opening);
        });
        Receive<DeviceOffline>(offline => OnDeviceOffline(offline)); // an open that failed again: logged once per reason
        Serving();
    }

    /// <summary>Everything but the device's life: sessions, device work, management, reloads, leases.</summary>
    private void Serving()
    {
        Receive<DrainDeviceOutput>(_ => DrainOutput());
        Receive<ClientConnected>(OnClientConnected);
        Receive<JoinPort>(OnJoin);
        Receive<Session.SessionResized>(OnSessionResized);
        Receive<OutputBehind>(behind =>
        {
            if (_sessions.ContainsKey(Sender) && (behind.Behind ? _behind.Add(Sender) : _behind.Remove(Sender)))
            {
                UpdateReadingPause();
            }
        });
        Receive<WatchModemLines>(watch =>
        {
            var known = _sessions.ContainsKey(Sender) || _joining.ContainsKey(Sender);
            if (known && (watch.Watch ? _modemWatchers.Add(Sender) : _modemWatchers.Remove(Sender)) && _modemWatchers.Count == (watch.Watch ? 1 : 0))
            {
                _link?.Tell(new WatchModem(watch.Watch));
            }
        });
        ReceiveDeviceWork();
        Receive<DeviceModemStatus>(m =>
        {
            if (m.Status != _modem)
            {
                _modem = m.Status;
                Broadcast(new ModemStatusChanged(_modem));
            }
        });
        Receive<Terminated>(t =>
        {
            _joining.Remove(t.ActorRef);
            _joiningTerminals.Remove(t.ActorRef);
            StopWatchingModem(t.ActorRef);
            Leave(t.ActorRef);
            ListenerStopped(t.ActorRef);
        });
        Receive<WriteLockRequest>(OnWriteLockRequest);
        Receive<RequestReplay>(_ =>
        {
            if (_sessions.TryGetValue(Sender, out var entry))
            {
                DrainOutput();
                Sender.Tell(ReplayFor(entry.Listener));
            }
        });
        Receive<ListSessions>(_ => Sender.Tell(new SessionsReport(DescribeSessions(Sender))));
        ReceiveManagement();
        ReceivePower();
        ReceiveReconfiguration();
        ReceiveLeases();
        ReceiveWeb();
        ReceiveAutomation();
        ReceiveTriggers();
        Receive<GetPortStatus>(_ => Sender.Tell(new PortStatus(_settings.Name, State, _kernelNode, _line.InEffect, _sessions.Count,
            _output.BytesPublished, _plane.BytesWritten, _plane.BytesDiscarded)));
    }

    /// <summary>The link is about to open the device: it gets the settings in effect now (including those a client set).</summary>
    private void OnLinkReady()
    {
        _link = Sender;
        _plane.Opening();
        SetState(DeviceState.Opening);
        _control.Open();
        Sender.Tell(new OpenDevice(_line.Open(), _control.Dtr, _control.Rts));
        if (_behind.Count > 0)
        {
            Sender.Tell(new PauseReading(true));
        }

        if (_modemWatchers.Count > 0)
        {
            Sender.Tell(new WatchModem(true));
        }
    }

    protected override void PreStart()
    {
        Changed("started");
        _metrics.Online(false);
        OpenConsoleLog();
        StartHoldGrace(); // clients may join, and type, before the device is open
        StartLink();
        StartTriggers(from: 0);
        for (var i = 0; i < _listenSockets.Count; i++)
        {
            StartListener(_settings.Listeners[i], _listenSockets[i]);
        }
    }

    /// <summary>The link decides when to reopen (backoff with jitter, or at once on its path watch); see SupervisorStrategy.</summary>
    private void StartLink() =>
        _linkChild = Context.ActorOf(DeviceLinkActor.Props(_settings, Self, _output.Publish, _metrics, _plane), $"{LinkName}-{++_linkGeneration}");

    private void StartListener(ListenerSettings listener, Socket socket)
    {
        var props = listener.IsDatagram
            ? DatagramListenerActor.Props(socket, listener, Self, _security)
            : ListenerActor.Props(socket, listener, Self, _security);
        var actor = Context.ActorOf(props, $"listener-{listener.Port}-{++_listenerGeneration}");
        Context.Watch(actor);
        _listeners[listener.EndPoint] = actor;
    }

    /// <summary>A listener still in <see cref="_listeners"/> stopped on its own (a crash): its address no longer accepts.</summary>
    private void ListenerStopped(IActorRef actor)
    {
        foreach (var (endPoint, listener) in _listeners)
        {
            if (listener.Equals(actor))
            {
                _listeners.Remove(endPoint);
                _listenersDown.Add(endPoint.ToString());
                _log.Error("port {0}: the listener on {1} stopped; new connections there are refused until a restart", _settings.Name, endPoint);
                return;
            }
        }
    }

    protected override SupervisorStrategy SupervisorStrategy() => new ChildStrategy(_log, _settings.Name);

    private const string LinkName = "link";

    /// <summary>
    /// A crashed device link is restarted (its PreStart sends <see cref="LinkReady"/>, so the port hands it the
    /// settings in effect again); any other child that crashes (a session, a listener) is stopped alone.
    /// </summary>
    private sealed class ChildStrategy(ILoggingAdapter log, string port) : OneForOneStrategy(_ => Directive.Stop)
    {
        protected override Directive Handle(IActorRef child, Exception exception)
        {
            var restart = child.Path.Name.StartsWith(LinkName + "-", StringComparison.Ordinal);
            log.Error(exception, "port {0}: a child failed; {1} it", port, restart ? "restarting" : "stopping");
            return restart ? Directive.Restart : Directive.Stop;
        }
    }

    private PortLineState CurrentLineState() => new(_line.InEffect, _control.Dtr, _control.Rts, _control.Break, _modem);

    private bool IsWritable(IActorRef session) => _sessions.ContainsKey(session) && _arbiter.CanWrite(session);

    /// <summary>Where the device is in its life: the data plane's one field.</summary>
    private DeviceState State => _plane.State;

    private bool DeviceReady => State == DeviceState.Online && _link is not null;

    protected override void PostStop()
    {
        StopHoldGrace();
        _plane.Dispose(); // queued writes are answered; the link (a child) closes the device
        _metrics.Online(false);
        foreach (var entry in _sessions.Values)
        {
            _metrics.SessionClosed(entry.Listener.Protocol, DateTimeOffset.UtcNow - entry.ConnectedAt);
        }

        StopTriggers();
        DrainOutput(); // the log keeps every byte read before the stop
        _consoleLog?.Mark($"port {_settings.Name} stopped");
        EndRecordingAtStop();
        _consoleLog?.Dispose();
        Changed("stopped");
    }

    /// <summary>
    /// Takes the device output the sessions already had into the scrollback and the console log (see
    /// <see cref="DeviceOutputHub"/>); called on the hub's schedule and before anything that needs them current.
    /// </summary>
    private void DrainOutput() => TakeOutput(_output.TakeForPort());

    /// <summary>A line in the console log, after every device byte read before it.</summary>
    private void LogMark(string text)
    {
        DrainOutput();
        _consoleLog?.Mark(text);
    }

    private void TakeOutput(List<PublishedChunk> chunks)
    {
        foreach (var chunk in chunks)
        {
            _scrollback.Append(chunk.Data);
            _consoleLog?.Device(chunk.Data, chunk.ReadAt);
        }
    }

    /// <summary>The device is read only while no backpressure session is behind; the bytes wait in the device meanwhile.</summary>
    private void StopWatchingModem(IActorRef session)
    {
        if (_modemWatchers.Remove(session) && _modemWatchers.Count == 0)
        {
            _link?.Tell(new WatchModem(false));
        }
    }

    private void UpdateReadingPause()
    {
        var pause = _behind.Count > 0;
        _log.Debug("port {0}: device reading {1}", _settings.Name,
            pause ? $"paused: {_behind.Count} backpressure session(s) behind" : "resumed: backpressure sessions caught up");
        _link?.Tell(new PauseReading(pause));
    }

    /// <summary>Bookkeeping of a state change the data plane already made (it holds the state itself).</summary>
    private void SetState(DeviceState state)
    {
        if (state != _reportedState)
        {
            _reportedState = state;
            _stateSince = DateTimeOffset.UtcNow;
            Changed("state");
            _metrics.Online(state == DeviceState.Online);
        }
    }

    /// <summary>True when the device came online (not a stale report of a link a reload replaced).</summary>
    private bool OnDeviceOnline(DeviceOnline online)
    {
        if (!Sender.Equals(_link))
        {
            return false; // a link that was already replaced (a reload moved the device)
        }

        // A client changed settings while the device was opening: they apply first, then what was typed meanwhile.
        var first = new List<DeviceCommand>();
        if (_line.Online(online.InEffect, canApply: true) is { } reapply)
        {
            first.Add(LineCommand(reapply, null));
        }

        if (_control.ChangedSinceOpen)
        {
            first.Add(ControlCommand(_control.Dtr, _control.Rts, null));
        }

        var link = _link;
        var device = online.Device;
        _plane.Online(device, online.InEffect, e => link.Tell(new DeviceWriteFailed(device, e)), first);
        StopHoldGrace();
        SetState(DeviceState.Online);
        if (_everOnline)
        {
            _reopens++;
            _metrics.Reopened();
        }

        _everOnline = true;
        _kernelNode = online.KernelNode;

        _lastOfflineReason = null;
        if ((online.Capabilities & DeviceCapabilities.ModemStatus) == 0 && _modem != SteadyCable)
        {
            _modem = SteadyCable;
            Broadcast(new ModemStatusChanged(_modem));
        }

        _log.Info("port {0}: online on {1} ({2})", _settings.Name, online.KernelNode, online.InEffect);
        LogMark($"device online on {online.KernelNode} ({online.InEffect})");
        Broadcast(new PortStatusChanged(_settings.Name, DeviceState.Online, online.KernelNode));
        return true;
    }

    /// <summary>True when the device went (or stays) offline; false for a stale report of a link a reload replaced.</summary>
    private bool OnDeviceOffline(DeviceOffline offline)
    {
        if (!Sender.Equals(_link))
        {
            return false; // a report from a link that was already replaced
        }

        var wasOnline = _reportedState == DeviceState.Online; // the plane is already offline: the link told it first
        _plane.Offline(); // the link already told it before closing the device; this covers an open it never reported
        StartHoldGrace();
        SetState(DeviceState.Offline);
        _link = null;
        if (offline.Reason != _lastOfflineReason)
        {
            // Logged once per distinct reason: a missing device retried with backoff does not flood the log.
            _log.Warning("port {0}: offline: {1} (retrying)", _settings.Name, offline.Reason);
            _lastOfflineReason = offline.Reason;
        }

        if (wasOnline)
        {
            LogMark($"device offline: {offline.Reason}");
            Broadcast(new PortStatusChanged(_settings.Name, DeviceState.Offline, offline.Reason));
        }

        return true;
    }

    private void Broadcast(object message)
    {
        foreach (var session in _sessions.Keys)
        {
            session.Tell(message);
        }
    }
}
