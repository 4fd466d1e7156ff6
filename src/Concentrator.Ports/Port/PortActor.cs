using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Akka.Event;
using Concentrator.Devices;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.ConsoleLog;
using Concentrator.Ports.DeviceLink;
using Concentrator.Ports.Listener;
using Concentrator.Ports.Session;
using Concentrator.Ports.Sharing;

namespace Concentrator.Ports.Port;

/// <summary>
/// The stable actor of one serial port. Owns the sessions, the fan-out of device output, the line settings in
/// effect and the device state; never does I/O itself. The device lives in a child <see cref="DeviceLinkActor"/>
/// (which times its own reopens), so a device restart never drops a session.
/// </summary>
public sealed class PortActor : ReceiveActor
{
    private readonly PortSettings _settings;
    private readonly IReadOnlyList<Socket> _listenSockets;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<IActorRef, SessionEntry> _sessions = [];
    private readonly Scrollback _scrollback;
    private readonly WriteArbiter<IActorRef> _arbiter;
    private ConsoleLogWriter? _consoleLog;
    private LineSettings _line;
    private bool _dtr = true;
    private bool _rts = true;
    private bool _break;
    private IActorRef? _breakOwner;
    private LineSettings? _requested; // the newest settings asked of the device while applies are in flight
    private int _appliesInFlight;
    private ModemStatus _modem = SteadyCable;
    private IActorRef? _link;
    private OpenDevice? _openedWith;
    private DeviceState _state = DeviceState.Opening;
    private string? _kernelNode;
    private string? _lastOfflineReason;
    private int _nextSessionId;
    private long _bytesFromDevice;
    private long _bytesToDevice;
    private long _bytesDiscarded;

    /// <summary>What a device without modem inputs (a pty, many USB adapters' CTS-less modes) reports: a connected cable.</summary>
    private const ModemStatus SteadyCable = ModemStatus.ClearToSend | ModemStatus.DataSetReady | ModemStatus.CarrierDetect;

    public PortActor(PortSettings settings, IReadOnlyList<Socket> listenSockets)
    {
        _settings = settings;
        _listenSockets = listenSockets;
        _line = settings.Line;
        _scrollback = new Scrollback(settings.Scrollback);
        _arbiter = new WriteArbiter<IActorRef>(settings.WritePolicy);

        Receive<DeviceOutput>(OnDeviceOutput);
        Receive<SessionInput>(OnSessionInput);
        Receive<ClientConnected>(Admit);
        Receive<LinkReady>(_ =>
        {
            _link = Sender;
            _state = DeviceState.Opening;
            _break = false; // a reopened device starts without a break condition
            _line = _requested ?? _line;
            _openedWith = new OpenDevice(_line, _dtr, _rts);
            Sender.Tell(_openedWith);
        });
        Receive<DeviceOnline>(OnDeviceOnline);
        Receive<DeviceOffline>(OnDeviceOffline);
        Receive<LineSettingsApplied>(a =>
        {
            _line = a.InEffect;
            if (--_appliesInFlight <= 0)
            {
                _appliesInFlight = 0;
                _requested = null;
            }
            a.ReplyTo?.Tell(CurrentLineState());
        });
        Receive<ChangeLine>(OnChangeLine);
        Receive<ChangeControl>(OnChangeControl);
        Receive<PurgeBuffers>(p =>
        {
            if (IsWritable(Sender) && _state == DeviceState.Online)
            {
                _link?.Tell(new PurgeDevice(p.Target));
            }

            Sender.Tell(CurrentLineState());
        });
        Receive<PulseBreak>(b =>
        {
            if (IsWritable(Sender) && _state == DeviceState.Online)
            {
                _link?.Tell(new SendBreak(b.Duration));
            }
        });
        Receive<DeviceModemStatus>(m =>
        {
            if (m.Status != _modem)
            {
                _modem = m.Status;
                Broadcast(new ModemStatusChanged(_modem));
            }
        });
        Receive<Terminated>(t => Leave(t.ActorRef));
        Receive<WriteLockRequest>(OnWriteLockRequest);
        Receive<RequestReplay>(_ =>
        {
            if (_sessions.TryGetValue(Sender, out var entry))
            {
                Sender.Tell(ReplayFor(entry.Listener));
            }
        });
        Receive<ListSessions>(_ => Sender.Tell(new SessionsReport(DescribeSessions(Sender))));
        Receive<GetPortStatus>(_ => Sender.Tell(new PortStatus(_settings.Name, _state, _kernelNode, _line, _sessions.Count,
            _bytesFromDevice, _bytesToDevice, _bytesDiscarded)));
    }

    public static Props Props(PortSettings settings, IReadOnlyList<Socket> listenSockets) =>
        Akka.Actor.Props.Create(() => new PortActor(settings, listenSockets));

    protected override void PreStart()
    {
        if (_settings.Log is { } log)
        {
            var logger = _log;
            var port = _settings.Name;
            _consoleLog = new ConsoleLogWriter(log, onError: e => logger.Warning("port {0}: console log {1}: {2}", port, log.File, e));
            _consoleLog.Mark($"port {_settings.Name} serving {_settings.Device}");
        }

        // The link decides when to reopen (backoff with jitter, or at once on its path watch); see SupervisorStrategy.
        Context.ActorOf(DeviceLinkActor.Props(_settings, Self), LinkName);

        for (var i = 0; i < _listenSockets.Count; i++)
        {
            var socket = _listenSockets[i];
            var listener = _settings.Listeners[i];
            Context.ActorOf(ListenerActor.Props(socket, listener, Self), $"listener-{listener.Port}");
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
            var restart = child.Path.Name == LinkName;
            log.Error(exception, "port {0}: a child failed; {1} it", port, restart ? "restarting" : "stopping");
            return restart ? Directive.Restart : Directive.Stop;
        }
    }

    private PortLineState CurrentLineState() => new(_line, _dtr, _rts, _break, _modem);

    private bool IsWritable(IActorRef session) => _sessions.ContainsKey(session) && _arbiter.CanWrite(session);

    private void OnChangeLine(ChangeLine change)
    {
        // Based on the newest request, not on what is in effect yet: two sessions changing different settings
        // at once must not undo each other.
        var basis = _requested ?? _line;
        var wanted = change.ApplyTo(basis);
        if (!IsWritable(Sender) || wanted == basis)
        {
            Sender.Tell(CurrentLineState()); // a query, a no-op, or a read-only session: the values in effect
            return;
        }

        if (_state == DeviceState.Online && _link is not null)
        {
            ApplyToDevice(wanted, Sender); // answered after the device applied it
        }
        else
        {
            _line = wanted; // remembered and applied when the device (re)opens
            if (_appliesInFlight > 0)
            {
                _requested = wanted;
            }

            Sender.Tell(CurrentLineState());
        }
    }

    private void ApplyToDevice(LineSettings wanted, IActorRef? replyTo)
    {
        _requested = wanted;
        _appliesInFlight++;
        _link!.Tell(new ApplyLineSettings(wanted, replyTo));
    }

    private void OnChangeControl(ChangeControl change)
    {
        if (IsWritable(Sender))
        {
            _dtr = change.Dtr ?? _dtr;
            _rts = change.Rts ?? _rts;
            _break = change.Break ?? _break;
            if (change.Break is { } brk)
            {
                _breakOwner = brk ? Sender : null;
            }
            if (_state == DeviceState.Online && _link is not null && (change.Dtr ?? change.Rts ?? change.Break) is not null)
            {
                _link.Tell(new SetControlLines(change.Dtr, change.Rts, change.Break));
            }
        }

        Sender.Tell(CurrentLineState());
    }

    protected override void PostStop()
    {
        _consoleLog?.Mark($"port {_settings.Name} stopped");
        _consoleLog?.Dispose();
    }

    private void OnDeviceOutput(DeviceOutput output)
    {
        _bytesFromDevice += output.Data.Length;
        _scrollback.Append(output.Data);
        _consoleLog?.Device(output.Data);
        Broadcast(output); // the same immutable chunk for everyone: no per-session copy
    }

    private void OnSessionInput(SessionInput input)
    {
        if (!IsWritable(Sender))
        {
            Sender.Tell(new WriteCompleted(input.Data.Length, Discarded: true));
            return;
        }

        if (_state == DeviceState.Online && _link is not null)
        {
            _bytesToDevice += input.Data.Length;
            _link.Tell(new WriteToDevice(input.Data, Sender));
        }
        else
        {
            _bytesDiscarded += input.Data.Length;
            Sender.Tell(new WriteCompleted(input.Data.Length, Discarded: true));
        }
    }

    private void OnDeviceOnline(DeviceOnline online)
    {
        _state = DeviceState.Online;
        _kernelNode = online.KernelNode;
        if (_openedWith is { } opened && _link is not null && (opened.Line != _line || opened.Dtr != _dtr || opened.Rts != _rts))
        {
            // A client changed settings while the device was opening: apply them now rather than lose them.
            ApplyToDevice(_line, null);
            _link.Tell(new SetControlLines(_dtr, _rts, null));
        }
        else
        {
            _line = online.InEffect;
        }

        _lastOfflineReason = null;
        if ((online.Capabilities & DeviceCapabilities.ModemStatus) == 0 && _modem != SteadyCable)
        {
            _modem = SteadyCable;
            Broadcast(new ModemStatusChanged(_modem));
        }

        _log.Info("port {0}: online on {1} ({2})", _settings.Name, online.KernelNode, online.InEffect);
        _consoleLog?.Mark($"device online on {online.KernelNode} ({online.InEffect})");
        Broadcast(new PortStatusChanged(_settings.Name, DeviceState.Online, online.KernelNode));
    }

    private void OnDeviceOffline(DeviceOffline offline)
    {
        if (!Sender.Equals(_link))
        {
            return; // a report from a link that was already replaced
        }

        var wasOnline = _state == DeviceState.Online;
        _state = DeviceState.Offline;
        _link = null;
        if (offline.Reason != _lastOfflineReason)
        {
            // Logged once per distinct reason: a missing device retried with backoff does not flood the log.
            _log.Warning("port {0}: offline: {1} (retrying)", _settings.Name, offline.Reason);
            _lastOfflineReason = offline.Reason;
        }

        if (wasOnline)
        {
            _consoleLog?.Mark($"device offline: {offline.Reason}");
            Broadcast(new PortStatusChanged(_settings.Name, DeviceState.Offline, offline.Reason));
        }
    }

    private void Broadcast(object message)
    {
        foreach (var session in _sessions.Keys)
        {
            session.Tell(message);
        }
    }

    private void Admit(ClientConnected connected)
    {
        if (_sessions.Count >= _settings.MaxSessions)
        {
            if (_settings.KickOld && _sessions.Count > 0)
            {
                var oldest = _sessions.MinBy(s => s.Value.Id).Key;
                _log.Info("port {0}: max-sessions {1} reached; closing the oldest session to make room", _settings.Name, _settings.MaxSessions);
                Leave(oldest);
                Context.Stop(oldest);
            }
            else
            {
                _log.Info("port {0}: refused {1}: max-sessions {2} reached", _settings.Name, connected.Socket.RemoteEndPoint, _settings.MaxSessions);
                _ = RefuseAsync(connected.Socket, $"concentrator: port {_settings.Name} is busy ({_sessions.Count} sessions, max {_settings.MaxSessions})\r\n");
                return;
            }
        }

        var id = ++_nextSessionId;
        var listener = connected.Listener;
        var peer = connected.Socket.RemoteEndPoint?.ToString() ?? "?";
        var session = Context.ActorOf(SessionActor.Props(connected.Socket, listener, _settings, Self, id), $"session-{id}");
        Context.Watch(session);
        _sessions[session] = new SessionEntry(id, listener, peer, DateTimeOffset.UtcNow);

        // Replay goes first, so the session sees the scrollback and then live output with nothing lost between.
        if (listener.Replay && _scrollback.Length > 0)
        {
            session.Tell(ReplayFor(listener));
        }

        if (_state == DeviceState.Offline)
        {
            session.Tell(new PortStatusChanged(_settings.Name, DeviceState.Offline, _lastOfflineReason ?? ""));
        }

        var changes = _arbiter.Join(session, listener.Access == SessionAccess.ReadWrite);
        _consoleLog?.Mark($"session {id} connected from {peer} ({ListenerSettings.ProtocolName(listener.Protocol)}, " +
            $"{(_arbiter.CanWrite(session) ? "read-write" : "read-only")})");
        Announce(changes, joined: session);
    }

    /// <summary>The scrollback, cut to what the session's output queue can hold (a replay must never overflow it).</summary>
    private Replay ReplayFor(ListenerSettings listener)
    {
        var snapshot = _scrollback.Snapshot();
        var limit = (int)Math.Min(int.MaxValue, listener.OutputQueueBytes / 2);
        return new Replay(snapshot.Length <= limit ? snapshot : snapshot[^limit..]);
    }

    private void Leave(IActorRef session)
    {
        if (!_sessions.Remove(session, out var entry))
        {
            return;
        }

        _consoleLog?.Mark($"session {entry.Id} from {entry.Peer} disconnected");
        if (_break && session.Equals(_breakOwner))
        {
            // A client that left with BREAK on must not leave the line in break for everyone else.
            _break = false;
            _breakOwner = null;
            _link?.Tell(new SetControlLines(null, null, false));
        }

        Announce(_arbiter.Leave(session), joined: null, reason: $"session {entry.Id} left");
    }

    private void OnWriteLockRequest(WriteLockRequest request)
    {
        if (!_sessions.TryGetValue(Sender, out var entry))
        {
            return;
        }

        var changes = request.Action switch
        {
            WriteLockAction.Force => _arbiter.Force(Sender),
            WriteLockAction.Ask => _arbiter.Ask(Sender),
            _ => _arbiter.Release(Sender),
        };
        if (changes.Count == 0)
        {
            // Nothing changed: say where the session stands, so the user is never left guessing.
            Sender.Tell(new RoleChanged(_arbiter.CanWrite(Sender), Standing(Sender, entry), Initial: false));
            return;
        }

        Announce(changes, joined: null, reason: request.Action switch
        {
            WriteLockAction.Force => $"session {entry.Id} forced the write lock",
            WriteLockAction.Ask => $"session {entry.Id} asked for write",
            _ => $"session {entry.Id} gave up write",
        });
    }

    private string Standing(IActorRef session, SessionEntry entry)
    {
        if (entry.Listener.Access == SessionAccess.ReadOnly)
        {
            return "this listener is read-only";
        }

        if (_arbiter.CanWrite(session))
        {
            return "you can write";
        }

        var holder = _sessions.FirstOrDefault(s => _arbiter.CanWrite(s.Key) && _arbiter.Policy == WritePolicy.Exclusive);
        return _arbiter.IsWaiting(session)
            ? $"waiting for the write lock{(holder.Value is null ? "" : $", held by session {holder.Value.Id} ({holder.Value.Peer})")}"
            : "read-only";
    }

    private void Announce(IReadOnlyList<(IActorRef Session, bool CanWrite)> changes, IActorRef? joined, string reason = "")
    {
        foreach (var (session, canWrite) in changes)
        {
            if (!_sessions.TryGetValue(session, out var entry))
            {
                continue;
            }

            var initial = session.Equals(joined);
            var why = initial ? Standing(session, entry) : $"{(canWrite ? "you can write" : Standing(session, entry))} ({reason})";
            session.Tell(new RoleChanged(canWrite, why, initial));
            if (!initial)
            {
                _consoleLog?.Mark($"session {entry.Id} is now {(canWrite ? "read-write" : "read-only")}: {reason}");
                _log.Info("port {0}: session {1} is now {2}: {3}", _settings.Name, entry.Id, canWrite ? "read-write" : "read-only", reason);
            }
        }
    }

    private List<string> DescribeSessions(IActorRef asking)
    {
        var now = DateTimeOffset.UtcNow;
        return _sessions.OrderBy(s => s.Value.Id).Select(s =>
        {
            var e = s.Value;
            var role = _arbiter.CanWrite(s.Key) ? "read-write" : _arbiter.IsWaiting(s.Key) ? "waiting" : "read-only";
            var since = now - e.ConnectedAt;
            return $"{(s.Key.Equals(asking) ? "*" : " ")} session {e.Id}  {e.Peer}  {ListenerSettings.ProtocolName(e.Listener.Protocol)}  {role}  " +
                   $"connected {(int)since.TotalHours:00}:{since.Minutes:00}:{since.Seconds:00}";
        }).ToList();
    }

    private static async Task RefuseAsync(Socket socket, string line)
    {
        try
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(line), SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or TimeoutException or ObjectDisposedException)
        {
        }
        finally
        {
            socket.Dispose();
        }
    }

    private sealed record SessionEntry(int Id, ListenerSettings Listener, string Peer, DateTimeOffset ConnectedAt);
}
