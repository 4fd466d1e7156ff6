using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Concentrator.Ports.Channels;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Port;

namespace Concentrator.Ports.Listener;

/// <summary>
/// Accepts connections on one already-bound socket (bound at startup, before any actor runs, so a port clash
/// stops the daemon cleanly) and hands each to the port for admission. One accept is outstanding at a time.
/// </summary>
public sealed class ListenerActor : ReceiveActor, IWithTimers
{
    private readonly Socket _socket;
    private ListenerSettings _settings; // a reload may change protocol, access or queue for new sessions
    private readonly IActorRef _port;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ITimerScheduler Timers { get; set; } = null!;

    public ListenerActor(Socket socket, ListenerSettings settings, IActorRef port)
    {
        _socket = socket;
        _settings = settings;
        _port = port;

        Receive<Accepted>(a =>
        {
            try
            {
                _port.Tell(new ClientConnected(new TcpChannel(a.Client), _settings));
            }
            catch (SocketException e)
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

    public static Props Props(Socket socket, ListenerSettings settings, IActorRef port) =>
        Akka.Actor.Props.Create(() => new ListenerActor(socket, settings, port));

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
