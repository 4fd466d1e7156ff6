using System.Buffers;
using System.Text;
using Akka.Actor;
using Akka.Event;
using Concentrator.Ports.Admission;
using Concentrator.Ports.Channels;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.DataPlane;
using Concentrator.Ports.DeviceLink;
using Concentrator.Ports.Metrics;
using Concentrator.Ports.Port;
using Concentrator.Ports.Security;
using Concentrator.Ports.Sharing;

namespace Concentrator.Ports.Session;

/// <summary>
/// One client connection, over any <see cref="ISessionChannel"/>. Its life is three states: <see cref="Connecting"/>
/// (the channel's handshake, on password listeners the login in <see cref="LoggingIn"/>, then the port's admission),
/// <see cref="Running"/> (the console), and
/// <see cref="Draining"/> (last words out, bounded in time, then stop). While running it reads the client with one
/// receive outstanding and reads again only after the device has taken the previous bytes (so a fast client is paced
/// by a slow device and nothing it sent is lost), and writes to the client through <see cref="SessionOutput"/>: a
/// bounded queue with one send outstanding (so a slow client delays only itself), which device output reaches
/// straight from the port's reader thread.
/// </summary>
public sealed partial class SessionActor : ReceiveActor, IWithTimers
{
    private const int ReadBufferSize = 16 * 1024;

    /// <summary>A client that fills its read buffer is streaming: its buffer grows to this, so each chunk costs less.</summary>
    private const int MaxReadBufferSize = 64 * 1024;

    /// <summary>
    /// Client chunks on their way to the device before the client is read again: enough to keep the device busy
    /// while the next chunk is read, few enough that a slow device paces the client through TCP.
    /// </summary>
    private const int MaxPendingWrites = 4;

    /// <summary>RFC 2217 commands waiting for the port before the client is read again.</summary>
    private const int MaxCommandBacklog = 64;

    /// <summary>How long a closing session waits for a stuck client to take its last words.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);

    private readonly ISessionChannel _channel;
    private readonly IControlChannel? _controlChannel; // the browser terminal's JSON beside the bytes
    private readonly ListenerSettings _listener;
    private readonly PortSettings _portSettings;
    private readonly IActorRef _port;
    private readonly ISessionProtocol _protocol;
    private readonly SessionOutput _output;
    private byte[] _readBuffer = new byte[ReadBufferSize];
    private readonly ArrayBufferWriter<byte> _toClient = new(256);
    private readonly List<object> _items = [];
    private readonly ComPortNegotiator? _comPort;
    private bool _watchingModem; // told the port this client wants modem-input changes
    private readonly EscapeSequence? _escape;
    private readonly SessionConsole _console; // escape commands and texts, apart from the connection's life
    private readonly List<object> _scanned = [];
    private readonly CancellationTokenSource _handshake = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly bool _showNotices;
    private int _id; // given by the port on admission
    private bool _reading;
    private bool _inputClosed; // draining: the client is not read again
    private int _pendingWrites;
    private DeviceInput? _input; // given by the port on admission: the port's data plane, under its permits
    private bool _canWrite;
    private bool _toldReadOnly;
    private List<object>? _afterLeaseToken; // input after a lease token, until the port has checked it
    private long _discarded;
    private bool _toldDiscarded;
    private string _closeReason = "closed by server";
    private readonly SessionCounters _counters = new();
    private readonly PortMetrics _metrics;
    private readonly SessionSecurity _security;
    private readonly List<object> _deferred = []; // protocol events a client sent while logging in, handled once admitted
    private LoginDialogue? _login;
    private int _loginFailures;
    private bool _readClient; // the client is read only while logging in and once admitted
    private Principal? _principal;

    public ITimerScheduler Timers { get; set; } = null!;

    public SessionActor(ISessionChannel channel, ListenerSettings listener, PortSettings portSettings, IActorRef port, SessionSecurity? security = null)
    {
        _channel = channel;
        // Control messages are the browser terminal's: a raw session over WebSocket frames stays bytes only.
        _controlChannel = listener.Protocol == ListenerProtocol.Web ? channel as IControlChannel : null;
        _security = security ?? SessionSecurity.Default;
        _listener = listener;
        _portSettings = portSettings;
        _port = port;
        _metrics = new PortMetrics(portSettings.Name);
        _protocol = SessionProtocols.Create(listener.Protocol, $"Concentrator {typeof(SessionActor).Assembly.GetName().Version?.ToString(3)} port {portSettings.Name}");
        _comPort = listener.Protocol == ListenerProtocol.Rfc2217 ? new ComPortNegotiator(listener.Access == SessionAccess.ReadOnly) : null;
        _canWrite = listener.Access == SessionAccess.ReadWrite;
        _showNotices = _protocol.ShowsNotices || portSettings.Notices || _security.Interactive;
        _output = new SessionOutput(channel, _protocol, listener, Self, port, _counters, _metrics, _showNotices);
        // In-band commands only where a person types: raw and RFC 2217 sessions stay byte-transparent.
        if ((listener.Protocol is ListenerProtocol.Telnet or ListenerProtocol.Web || _security.Interactive) && portSettings.Escape is { } escape && EscapeSequence.TryParse(escape, out var parsed))
        {
            _escape = parsed;
        }

        _console = new SessionConsole(_escape, listener.Access == SessionAccess.ReadWrite);
        Connecting();
    }

    public static Props Props(ISessionChannel channel, ListenerSettings listener, PortSettings port, IActorRef portActor,
        SessionSecurity? security = null) =>
        Akka.Actor.Props.Create(() => new SessionActor(channel, listener, port, portActor, security));

    private string Name => _id > 0 ? $"session {_id} on port {_portSettings.Name}" : $"connection on port {_portSettings.Name}";

    protected override void PreStart()
    {
        var handshake = _channel.HandshakeAsync(_handshake.Token);
        if (!handshake.IsCompleted)
        {
            // Bounded: a client that opens the connection and then stalls must not hold an actor and a socket forever.
            // A .NET timer, not an Akka one: once Akka's scheduler runs it ticks for good, and plain TCP needs no timer.
            _handshake.CancelAfter(_security.HandshakeTimeout);
        }

        handshake.PipeTo(Self, success: () => HandshakeDone.Instance,
            failure: e => new HandshakeFailed(((e as AggregateException)?.InnerException ?? e) switch
            {
                OperationCanceledException or SessionChannelException { InnerException: OperationCanceledException } => "handshake timeout",
                var cause => cause.Message, // the channel's own words, e.g. "handshake failed: <TLS alert>"
            }));
    }

    /// <summary>The channel's handshake, then the port's admission decision. The client is not read here.</summary>
    private void Connecting()
    {
        Receive<HandshakeDone>(_ => Identify());
        Receive<HandshakeFailed>(f =>
        {
            LogRefusal("handshake", f.Reason);
            Close(f.Reason);
        });
        Receive<SessionAdmitted>(admitted =>
        {
            Timers.Cancel("handshake"); // a login's admission timeout, if one runs
            _id = admitted.Id;
            _input = admitted.Input;
            _controlChannel?.SendControl(new SessionStartedControl(_id, _portSettings.Name));
            _canWrite &= !admitted.ReadOnly;
            Become(Running);
            Start(admitted.ReadOnly);
        });
        Receive<SendDone>(OnSendDone); // the end of a login may still be on its way
        Receive<SessionRefused>(refused =>
        {
            Timers.Cancel("handshake");
            _closeReason = "refused: " + refused.Reason;
            _output.EnqueueControl(Encoding.UTF8.GetBytes(refused.Line));
            Drain();
        });
        Receive<SendFailed>(f => Close(f.Reason));
    }

    private void Start(bool readOnly)
    {
        var who = _principal is { Name: not Principal.AnonymousName } p ? $" as {p.Name}" : "";
        _log.Info("{0}: {1} connected{2} ({3}, {4})", Name, _channel.Peer, who,
            ListenerSettings.ProtocolName(_listener.Protocol), _listener.Access == SessionAccess.ReadOnly || readOnly ? "read-only" : "read-write");
        _protocol.Start(_toClient);
        FlushReplies();
        if (_security.Login is not null && _principal is not null)
        {
            // Our clients read the login answer up to this line; a person sees who they are.
            _output.EnqueueControl(_protocol.EncodeNotice($"[concentrator: logged in as {_principal.Name}]\r\n"));
        }

        if (_portSettings.Banner is { Length: > 0 } banner && _listener.Protocol is not (ListenerProtocol.Raw or ListenerProtocol.Udp))
        {
            _output.EnqueueControl(_protocol.EncodeNotice(banner + "\r\n"));
        }

        if (_portSettings.IdleTimeout > TimeSpan.Zero)
        {
            Context.SetReceiveTimeout(_portSettings.IdleTimeout);
        }

        PumpSend();
        _readClient = true;
        ResumeReading();
        if (_deferred.Count > 0)
        {
            ProcessItems(_deferred);
            _deferred.Clear();
            FlushReplies();
        }
    }

    /// <summary>The console: device output to the client, client input to the device, port events as notices.</summary>
    private void Running()
    {
        Receive<DeviceOutput>(output => Send(output.Data)); // chunks not sent on the reader thread, in device order
        Receive<OutputStart>(start =>
        {
            _output.Release(start.Replay.Length == 0 ? ReadOnlyMemory<byte>.Empty : _protocol.Encode(_output.Fit(start.Replay)));
            PumpSend();
        });
        Receive<OutputProgress>(_ => ResumeReading());
        Receive<OutputPending>(_ => PumpSend());
        Receive<ClientRead>(OnClientRead);
        Receive<ClientControlRead>(OnClientControl);
        Receive<ClientReadFailed>(f =>
        {
            _reading = false;
            Close(f.Reason);
        });
        Receive<WriteCompleted>(OnWriteCompleted);
        Receive<SendDone>(OnSendDone);
        Receive<SendFailed>(f => Close(f.Reason));
        Receive<PortLineState>(state =>
        {
            if (_comPort is not null)
            {
                Request(_comPort.OnLineState(state, _toClient));
                SyncModemInterest(); // a SET-MODEMSTATE-MASK is applied in turn with the commands before it
                FlushReplies();
                ResumeReading();
            }
        });
        Receive<ModemStatusChanged>(m =>
        {
            if (_comPort is not null && _protocol is TelnetProtocol telnet)
            {
                _comPort.OnModemStatus(m.Modem, telnet.Codec.IsComPortEnabled, _toClient);
                FlushReplies();
            }
        });
        Receive<RoleChanged>(OnRoleChanged);
        Receive<LeaseTokenChecked>(OnLeaseTokenChecked);
        Receive<Replay>(r => Send(r.Data));
        Receive<SessionsReport>(r => Notice(SessionConsole.Sessions(_portSettings.Name, r.Lines)));
        Receive<Power.PowerSwitched>(p => Notice(SessionConsole.PowerAnswer(p)));
        Receive<Power.PowerNotConfigured>(p => Notice(SessionConsole.PowerAnswer(p)));
        Receive<Management.ActionRefused>(p => Notice(SessionConsole.PowerAnswer(p)));
        Receive<PortStatusChanged>(s =>
        {
            if (s.State == DeviceState.Online)
            {
                _toldDiscarded = false;
            }

            Notice(SessionConsole.PortState(s));
        });
        Receive<CloseSession>(close =>
        {
            Notice(close.Notice);
            _closeReason = close.Reason;
            Drain();
        });
        Receive<ReceiveTimeout>(_ =>
        {
            Notice(SessionConsole.Idle(_portSettings.IdleTimeout));
            _closeReason = "idle timeout";
            Drain();
        });
    }

    /// <summary>Closing: what is queued goes out, nothing new is read or queued; stops when sent or after <see cref="DrainTimeout"/>.</summary>
    private void Draining()
    {
        Receive<SendDone>(done =>
        {
            OnSendDone(done);
            _ = StopWhenDrained();
        });
        Receive<SendFailed>(f => Close(f.Reason));
        Receive<WriteCompleted>(done => _discarded += done.Result == WriteResult.Discarded ? done.Bytes : 0);
        ReceiveAny(_ => { }); // late client reads, device output, port events: the session is leaving
    }

    /// <summary>Says what is queued and stops.</summary>
    private void Drain()
    {
        Context.SetReceiveTimeout(null);
        _inputClosed = true;
        _output.StopData();
        Become(Draining);
        PumpSend();
        if (!StopWhenDrained())
        {
            Timers.StartSingleTimer("drain", new SendFailed("close timeout"), DrainTimeout);
        }
    }

    private bool StopWhenDrained()
    {
        if (!_output.IsIdle)
        {
            return false;
        }

        Context.Stop(Self);
        return true;
    }

    private void OnRoleChanged(RoleChanged role)
    {
        var was = _canWrite;
        _canWrite = role.CanWrite;
        _controlChannel?.SendControl(new RoleControl(role.CanWrite, role.Reason));
        if (role.CanWrite)
        {
            _toldReadOnly = false;
        }

        if (SessionConsole.Announces(role, was))
        {
            Notice(role.Reason);
        }
    }

    private void FlushReplies()
    {
        if (_toClient.WrittenCount > 0)
        {
            _output.EnqueueControl(_toClient.WrittenSpan.ToArray());
            _toClient.ResetWrittenCount();
            PumpSend();
        }
    }

    private void Notice(string text)
    {
        if (_showNotices)
        {
            _output.EnqueueControl(_protocol.EncodeNotice(SessionConsole.Framed(text)));
            PumpSend();
        }
    }

    /// <summary>Device output or a replay, encoded for this client.</summary>
    private void Send(byte[] data)
    {
        _output.Send(_protocol.Encode(_output.Fit(data)));
        PumpSend();
    }

    private void PumpSend()
    {
        // A client's FLOWCONTROL-SUSPEND holds output; the last words of a closing session go out regardless.
        _output.Suspended = !_inputClosed && _comPort?.OutputSuspended == true;
        if (_output.Pump())
        {
            ResumeReading(); // replies that held the client's reading back went out
        }
    }

    private void OnSendDone(SendDone done)
    {
        _output.SendDone(done.Bytes);
        ResumeReading();
    }

    private void Close(string reason)
    {
        _closeReason = reason;
        Context.Stop(Self);
    }

    protected override void PostStop()
    {
        try
        {
            _handshake.Cancel();
            _output.Close(); // before the channel closes: the reader thread sends no more
            _controlChannel?.SendControl(new ClosedControl(_closeReason));
            _channel.Close();
        }
        finally
        {
            _channel.Dispose();
            _handshake.Dispose();
        }

        if (_id == 0)
        {
            return; // never admitted: the port logged the refusal, the handshake failure was logged above
        }

        var discarded = _discarded > 0 ? $" ({_discarded} discarded while the device was offline)" : "";
        _log.Info("{0}: {1} disconnected ({2}); {3} bytes from client{4}, {5} bytes to client",
            [Name, _channel.Peer, _closeReason, _counters.BytesIn, discarded, _counters.BytesOut]);
    }

    private sealed record HandshakeDone
    {
        public static HandshakeDone Instance { get; } = new();
    }

    private sealed record HandshakeFailed(string Reason);

    private sealed record ClientRead(int Count);

    private sealed record ClientControlRead(ClientControl Control);

    private sealed record ClientReadFailed(string Reason);

}
