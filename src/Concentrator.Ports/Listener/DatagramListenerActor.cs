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
/// A <c>protocol = udp</c> listener (ser2net's udp accepter): the first datagram from an address and port makes it a
/// peer, which passes the same source filters and per-source limits as a TCP connection and joins the port through the
/// same admission as any session, over a <see cref="DatagramChannel"/>. Its later datagrams are its input; the device's
/// output goes back to every admitted peer. A peer quiet for <see cref="PeerIdle"/> is ended (UDP has no close). One
/// receive is outstanding at a time; the socket was bound at start like every listener's.
/// </summary>
public sealed class DatagramListenerActor : ReceiveActor, IWithTimers
{
    /// <summary>How long a peer may send nothing before its session ends.</summary>
    public static readonly TimeSpan PeerIdle = TimeSpan.FromMinutes(5);

    /// <summary>Peers at once per listener: datagrams from new addresses beyond this are dropped (sources are easy to forge).</summary>
    public const int MaxPeers = 256;

    private readonly Socket _socket;
    private readonly IActorRef _port;
    private readonly DaemonSecurity _security;
    private readonly Dictionary<IPEndPoint, (DatagramChannel Channel, DateTime Heard)> _peers = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private ListenerSettings _settings;

    public ITimerScheduler Timers { get; set; } = null!;

    public DatagramListenerActor(Socket socket, ListenerSettings settings, IActorRef port, DaemonSecurity? security = null)
    {
        _socket = socket;
        _settings = settings;
        _port = port;
        _security = security ?? DaemonSecurity.Unlimited();

        Receive<Received>(r =>
        {
            Deliver(r.From, r.Datagram);
            ReceiveNext();
        });
        Receive<ReceiveFailed>(f =>
        {
            // ICMP port unreachable from a peer that left surfaces here as ECONNREFUSED: not the listener's end.
            _log.Debug("listener udp {0}: receive failed: {1}", _settings.EndPoint, f.Reason);
            Timers.StartSingleTimer("retry", Retry.Instance, TimeSpan.FromMilliseconds(20));
        });
        Receive<Retry>(_ => ReceiveNext());
        Receive<PeerEnded>(e =>
        {
            if (_peers.TryGetValue(e.Channel.RemoteEndPoint as IPEndPoint ?? new IPEndPoint(IPAddress.None, 0), out var peer) && peer.Channel == e.Channel)
            {
                _peers.Remove((IPEndPoint)e.Channel.RemoteEndPoint!);
            }
        });
        Receive<Sweep>(_ =>
        {
            var now = DateTime.UtcNow;
            foreach (var (peer, (channel, _)) in _peers.Where(p => now - p.Value.Heard > PeerIdle).ToList())
            {
                _peers.Remove(peer); // its next datagram starts a new session
                channel.End(); // this one reads the end and closes
            }
        });
        Receive<UpdateListener>(update => _settings = update.Settings);
    }

    public static Props Props(Socket socket, ListenerSettings settings, IActorRef port, DaemonSecurity? security = null) =>
        Akka.Actor.Props.Create(() => new DatagramListenerActor(socket, settings, port, security));

    private void Deliver(IPEndPoint from, byte[] datagram)
    {
        if (datagram.Length == 0)
        {
            return; // carries nothing, and would read as the end of the peer's stream
        }

        if (_peers.TryGetValue(from, out var peer))
        {
            _peers[from] = (peer.Channel, DateTime.UtcNow);
            peer.Channel.Offer(datagram);
            return;
        }

        var refusal = _peers.Count >= MaxPeers ? $"{MaxPeers} peers already" : _settings.SourceFilter.Refusal(from.Address);
        IDisposable? slot = null;
        if (refusal is null && !_security.Limiter.TryAcquire(from.Address, out slot, out refusal))
        {
            refusal ??= "over the per-source limits";
        }

        if (refusal is not null)
        {
            if (_security.Refusals.ShouldLog(from.Address, "udp", out var suppressed))
            {
                _log.Warning("listener udp {0}: refused {1}: {2}{3}", _settings.EndPoint, from, refusal, _security.Refusals.Summary(suppressed));
            }

            return; // no answer: a reply would make us a reflector for forged sources
        }

        var self = Self;
        var channel = new DatagramChannel(_socket, from, c => self.Tell(new PeerEnded(c)));
        _peers[from] = (channel, DateTime.UtcNow);
        channel.Offer(datagram);
        _port.Tell(new ClientConnected(new CountedChannel(channel, slot!), _settings, _security.ForSession(_settings)));
    }

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("sweep", Sweep.Instance, TimeSpan.FromSeconds(10));
        ReceiveNext();
    }

    private void ReceiveNext()
    {
        var buffer = new byte[65536];
        _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(_settings.EndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0))
            .PipeTo(Self, success: r => new Received((IPEndPoint)r.RemoteEndPoint, buffer.AsSpan(0, r.ReceivedBytes).ToArray()),
                failure: e => new ReceiveFailed(e.GetBaseException().Message));
    }

    protected override void PostStop()
    {
        _socket.Dispose();
        foreach (var (channel, _) in _peers.Values)
        {
            channel.End();
        }
    }

    private sealed record Received(IPEndPoint From, byte[] Datagram);

    private sealed record ReceiveFailed(string Reason);

    private sealed record PeerEnded(DatagramChannel Channel);

    private sealed record Retry
    {
        public static Retry Instance { get; } = new();
    }

    private sealed record Sweep
    {
        public static Sweep Instance { get; } = new();
    }
}
