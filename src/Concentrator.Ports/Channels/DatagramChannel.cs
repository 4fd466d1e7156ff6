using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Concentrator.Ports.Channels;

/// <summary>
/// One peer of a UDP listener as a session's transport: the datagrams it sent are the session's input (a queue bounded
/// by bytes: a peer that sends faster than the device takes loses datagrams, as UDP would, and they are counted); the session's
/// output goes back to it as datagrams of at most <see cref="MaxDatagram"/> bytes through the listener's one socket.
/// The listener offers datagrams from its receive loop; the session reads and sends from its own actor, as on TCP.
/// There is no connection to close: the listener ends the channel when the peer has been quiet too long.
/// </summary>
public sealed class DatagramChannel : ISessionChannel
{
    /// <summary>What fits an Ethernet frame without IP fragmentation.</summary>
    public const int MaxDatagram = 1472;

    private readonly Socket _socket;
    private readonly IPEndPoint _peer;
    private readonly Action<DatagramChannel> _ended;
    /// <summary>Bytes a peer may have waiting for its session (datagrams beyond it are dropped and counted).</summary>
    public const int MaxQueuedBytes = 256 * 1024;

    private readonly Channel<byte[]> _inbound = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private long _queuedBytes; // bounds the queue by bytes, not by datagrams of up to 64 KiB each

    private ReadOnlyMemory<byte> _rest;
    private int _disposed;
    private long _dropped;

    public DatagramChannel(Socket socket, IPEndPoint peer, Action<DatagramChannel> ended)
    {
        _socket = socket;
        _peer = peer;
        _ended = ended;
        Peer = peer.ToString();
    }

    public EndPoint? RemoteEndPoint => _peer;

    public string Peer { get; }

    /// <summary>Datagrams dropped because the session had not read the ones before.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>The listener's receive loop hands over a datagram from this peer.</summary>
    public void Offer(byte[] datagram)
    {
        if (Interlocked.Add(ref _queuedBytes, datagram.Length) > MaxQueuedBytes || !_inbound.Writer.TryWrite(datagram))
        {
            Interlocked.Add(ref _queuedBytes, -datagram.Length);
            Interlocked.Increment(ref _dropped);
        }
    }

    public Task HandshakeAsync(CancellationToken cancellation) => Task.CompletedTask;

    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer)
    {
        if (_rest.IsEmpty)
        {
            try
            {
                _rest = await _inbound.Reader.ReadAsync().ConfigureAwait(false);
                Interlocked.Add(ref _queuedBytes, -_rest.Length);
            }
            catch (ChannelClosedException)
            {
                return 0; // ended: the peer went quiet, or the listener stopped
            }
        }

        var n = Math.Min(buffer.Length, _rest.Length);
        _rest[..n].CopyTo(buffer);
        _rest = _rest[n..];
        return n;
    }

    public bool CanSendNow => true;

    public int SendNow(IList<ArraySegment<byte>> segments)
    {
        var sent = 0;
        foreach (var datagram in Datagrams(segments))
        {
            try
            {
                sent += _socket.SendTo(datagram.Span, SocketFlags.None, _peer);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
            {
                return sent; // the rest goes out through SendAsync
            }
            catch (SocketException e)
            {
                throw new SessionChannelException($"send failed: {e.SocketErrorCode}");
            }
            catch (ObjectDisposedException)
            {
                throw new SessionChannelException("the udp listener stopped"); // a session error, never the device's
            }
        }

        return sent;
    }

    public async Task SendAsync(IList<ArraySegment<byte>> segments)
    {
        foreach (var datagram in Datagrams(segments))
        {
            try
            {
                await _socket.SendToAsync(datagram, SocketFlags.None, _peer).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new SessionChannelException($"send failed: {e.SocketErrorCode}");
            }
            catch (ObjectDisposedException)
            {
                throw new SessionChannelException("the udp listener stopped");
            }
        }
    }

    /// <summary>
    /// The bytes of <paramref name="segments"/> as datagrams of at most <see cref="MaxDatagram"/> bytes, cut from the
    /// segments themselves (no copy per send): a segment boundary is also a datagram boundary, as a read from the
    /// device would be.
    /// </summary>
    private static IEnumerable<ReadOnlyMemory<byte>> Datagrams(IList<ArraySegment<byte>> segments)
    {
        foreach (var segment in segments)
        {
            for (var start = 0; start < segment.Count; start += MaxDatagram)
            {
                yield return segment.AsMemory(start, Math.Min(MaxDatagram, segment.Count - start));
            }
        }
    }

    /// <summary>No more input: the session sees the end of its stream and closes.</summary>
    public void End() => _inbound.Writer.TryComplete();

    public void Close() => Dispose();

    public void Dispose()
    {
        End();
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _ended(this); // the listener forgets the peer; the socket is the listener's, not this channel's
        }
    }
}
