using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Concentrator.Ports.Channels;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Port;
using Concentrator.Ports.Security;

namespace Concentrator.Ports.Listener;

/// <summary>
/// Accepts connections on one already-bound socket (bound at startup, before any actor runs, so a port clash
/// stops the daemon cleanly) and hands each to the port for admission. One accept is outstanding at a time.
/// Before any session exists, a connection passes the listener's allow/deny lists and the daemon-wide per-source
/// limits (see <see cref="Accept"/>); a refused one is closed at once, costing one accept and one close.
/// </summary>
public sealed class ListenerActor : ReceiveActor, IWithTimers
{
    private readonly Socket _socket;
    private ListenerSettings _settings; // a reload may change protocol, access or queue for new sessions
    private readonly IActorRef _port;
    private readonly DaemonSecurity _security;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ITimerScheduler Timers { get; set; } = null!;

    public ListenerActor(Socket socket, ListenerSettings settings, IActorRef port, DaemonSecurity? security = null)
    {
        _socket = socket;
        _settings = settings;
        _port = port;
        _security = security ?? DaemonSecurity.Unlimited();

        Receive<Accepted>(a =>
        {
            try
            {
                Accept(a.Client);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
            {
                a.Client.Dispose(); // reset before we could set it up: nothing to serve
                _log.Debug("listener {0}: connection lost at accept: {1}", _settings.EndPoint, e.Message);
            }

            AcceptNext();
        });
        Receive<AcceptFailed>(f =>
        {
            // Transient accept errors (ECONNABORTED, EMFILE) must not end the listener; pause briefly and go on.
            _log.Warning("listener {0}: accept failed: {1}", _settings.EndPoint, f.Reason);
            Timers.StartSingleTimer("retry", Retry.Instance, TimeSpan.FromMilliseconds(100));
        });
        Receive<Retry>(_ => AcceptNext());
        Receive<UpdateListener>(update => _settings = update.Settings);
    }

    public static Props Props(Socket socket, ListenerSettings settings, IActorRef port, DaemonSecurity? security = null) =>
        Akka.Actor.Props.Create(() => new ListenerActor(socket, settings, port, security));

    /// <summary>
    /// Source filters, then the per-source limiter (and, on password listeners, the failed-login count); a connection
    /// that passes gets its channel (TLS where configured; its handshake runs in the session) and goes to the port.
    /// </summary>
    private void Accept(Socket client)
    {
        var source = (client.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
        var refusal = _settings.SourceFilter.Refusal(source);
        if (refusal is null && _settings.Auth == ListenerAuthentication.Password)
        {
            _security.Limiter.IsLoginBlocked(source, out refusal);
        }

        IDisposable? slot = null;
        if (refusal is null && !_security.Limiter.TryAcquire(source, out slot, out refusal))
        {
            refusal ??= "over the per-source limits";
        }

        if (refusal is not null)
        {
            Refuse(client, source, refusal);
            return;
        }

        ISessionChannel channel;
        SessionSecurity security;
        try
        {
            if (_settings.Tls is { } tls)
            {
                var (tlsChannel, identify) = TlsAcceptor.Wrap(client, tls, _settings.Auth);
                channel = tlsChannel;
                security = _security.ForSession(_settings, identify);
            }
            else
            {
                channel = new TcpChannel(client);
                security = _security.ForSession(_settings);
            }
        }
        catch
        {
            slot!.Dispose();
            throw;
        }

        _port.Tell(new ClientConnected(new CountedChannel(channel, slot!), _settings, security));
    }

    /// <summary>Closed at once with a reset (no TIME_WAIT left behind for a flood); logged once per source per interval.</summary>
    private void Refuse(Socket client, IPAddress source, string refusal)
    {
        try
        {
            client.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
            // already gone
        }

        client.Dispose();
        if (_security.Refusals.ShouldLog(source, "accept", out var suppressed))
        {
            _log.Warning("listener {0}: refused {1}: {2}{3}", _settings.EndPoint, source, refusal, _security.Refusals.Summary(suppressed));
            // The audit trail gets what the log gets, throttled alike (a flood is one line per interval with its count).
            _security.Audit.Record("connect", null, source, null, "refused",
                ("reason", refusal), ("listener", _settings.EndPoint.ToString()),
                ("suppressed", suppressed > 0 ? suppressed.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
        }
    }

    protected override void PreStart() => AcceptNext();

    private void AcceptNext() =>
        _socket.AcceptAsync().PipeTo(Self, success: s => new Accepted(s), failure: e => new AcceptFailed(e.GetBaseException().Message));

    protected override void PostStop() => _socket.Dispose();

    private sealed record Accepted(Socket Client);

    private sealed record AcceptFailed(string Reason);

    private sealed record Retry
    {
        public static Retry Instance { get; } = new();
    }
}

/// <summary>Port -> listener: new connections get these settings (same address, so the socket stays).</summary>
public sealed record UpdateListener(ListenerSettings Settings);
