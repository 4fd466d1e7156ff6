using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Concentrator.Devices;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.DeviceLink;
using Concentrator.Ports.Listener;
using Concentrator.Ports.Session;

namespace Concentrator.Ports.Port;

/// <summary>
/// The stable actor of one serial port. Owns the sessions, the fan-out of device output, the line settings in
/// effect and the device state; never does I/O itself. The device lives in a supervised child (a backoff
/// supervisor around <see cref="DeviceLinkActor"/>), so a device restart never drops a session.
/// </summary>
public sealed class PortActor : ReceiveActor
{
    private readonly PortSettings _settings;
    private readonly IReadOnlyList<Socket> _listenSockets;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<IActorRef, SessionEntry> _sessions = [];
    private LineSettings _line;
    private bool _dtr = true;
    private bool _rts = true;
    private bool _break;
    private ModemStatus _modem = SteadyCable;
    private IActorRef? _link;
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

        Receive<DeviceOutput>(OnDeviceOutput);
        Receive<SessionInput>(OnSessionInput);
        Receive<ClientConnected>(Admit);
        Receive<LinkReady>(_ =>
        {
            _link = Sender;
            _state = DeviceState.Opening;
            _break = false; // a reopened device starts without a break condition
            Sender.Tell(new OpenDevice(_line, _dtr, _rts));
        });
        Receive<DeviceOnline>(OnDeviceOnline);
        Receive<DeviceOffline>(OnDeviceOffline);
        Receive<LineSettingsApplied>(a =>
        {
            _line = a.InEffect;
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
        Receive<Terminated>(t => _sessions.Remove(t.ActorRef));
        Receive<GetPortStatus>(_ => Sender.Tell(new PortStatus(_settings.Name, _state, _kernelNode, _line, _sessions.Count,
            _bytesFromDevice, _bytesToDevice, _bytesDiscarded)));
    }

    public static Props Props(PortSettings settings, IReadOnlyList<Socket> listenSockets) =>
        Akka.Actor.Props.Create(() => new PortActor(settings, listenSockets));

    protected override void PreStart()
    {
        var link = DeviceLinkActor.Props(_settings, Self);
        // OnStop: the link stops itself on a device fault (an exception in PreStart would end OnFailure backoff for good).
        var options = Backoff.OnStop(link, "link", _settings.ReopenMinBackoff, _settings.ReopenMaxBackoff, randomFactor: 0.2, maxNrOfRetries: -1)
            .WithAutoReset(TimeSpan.FromSeconds(10));
        Context.ActorOf(BackoffSupervisor.Props(options), "device");

        for (var i = 0; i < _listenSockets.Count; i++)
        {
            var socket = _listenSockets[i];
            var listener = _settings.Listeners[i];
            Context.ActorOf(ListenerActor.Props(socket, listener, Self), $"listener-{listener.Port}");
        }
    }

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(e =>
    {
        _log.Error(e, "port {0}: a child failed; stopping it", _settings.Name);
        return Directive.Stop; // a crashed session ends alone; listeners and the device supervisor do not throw
    });

    private PortLineState CurrentLineState() => new(_line, _dtr, _rts, _break, _modem);

    private bool IsWritable(IActorRef session) =>
        _sessions.TryGetValue(session, out var entry) && entry.Listener.Access == SessionAccess.ReadWrite;

    private void OnChangeLine(ChangeLine change)
    {
        var wanted = change.ApplyTo(_line);
        if (!IsWritable(Sender) || wanted == _line)
        {
            Sender.Tell(CurrentLineState()); // a query, a no-op, or a read-only session: the values in effect
            return;
        }

        if (_state == DeviceState.Online && _link is not null)
        {
            _link.Tell(new ApplyLineSettings(wanted, Sender)); // answered after the device applied it
        }
        else
        {
            _line = wanted; // remembered and applied when the device (re)opens
            Sender.Tell(CurrentLineState());
        }
    }

    private void OnChangeControl(ChangeControl change)
    {
        if (IsWritable(Sender))
        {
            _dtr = change.Dtr ?? _dtr;
            _rts = change.Rts ?? _rts;
            _break = change.Break ?? _break;
            if (_state == DeviceState.Online && _link is not null && (change.Dtr ?? change.Rts ?? change.Break) is not null)
            {
                _link.Tell(new SetControlLines(change.Dtr, change.Rts, change.Break));
            }
        }

        Sender.Tell(CurrentLineState());
    }

    private void OnDeviceOutput(DeviceOutput output)
    {
        _bytesFromDevice += output.Data.Length;
        foreach (var session in _sessions.Keys)
        {
            session.Tell(output); // the same immutable chunk for everyone
        }
    }

    private void OnSessionInput(SessionInput input)
    {
        if (!_sessions.TryGetValue(Sender, out var entry) || entry.Listener.Access != SessionAccess.ReadWrite)
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
        _line = online.InEffect;
        _lastOfflineReason = null;
        if ((online.Capabilities & DeviceCapabilities.ModemStatus) == 0 && _modem != SteadyCable)
        {
            _modem = SteadyCable;
            Broadcast(new ModemStatusChanged(_modem));
        }

        _log.Info("port {0}: online on {1} ({2})", _settings.Name, online.KernelNode, online.InEffect);
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
                _sessions.Remove(oldest);
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
        var session = Context.ActorOf(SessionActor.Props(connected.Socket, connected.Listener, _settings, Self, id), $"session-{id}");
        Context.Watch(session);
        _sessions[session] = new SessionEntry(id, connected.Listener);
        if (_state == DeviceState.Offline)
        {
            session.Tell(new PortStatusChanged(_settings.Name, DeviceState.Offline, _lastOfflineReason ?? ""));
        }
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

    private sealed record SessionEntry(int Id, ListenerSettings Listener);
}
