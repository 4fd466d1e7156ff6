using System.Net;
using System.Net.Sockets;

namespace Concentrator.Ports.Channels;

/// <summary>
/// Plain TCP. The socket is non-blocking, so <see cref="SendNow"/> is one sendmsg from the session actor that never
/// waits: usually the kernel takes the whole batch and there is no completion to wait for (the fast path that keeps
/// device-to-client latency near socat's). Only what the kernel cannot take now goes out through <see cref="SendAsync"/>.
/// </summary>
public sealed class TcpChannel : ISessionChannel
{
    private readonly Socket _socket;

    public TcpChannel(Socket socket)
    {
        _socket = socket;
        _socket.NoDelay = true; // console traffic is interactive: never wait to coalesce keystrokes or prompts
        _socket.Blocking = false;
        RemoteEndPoint = socket.RemoteEndPoint;
        Peer = RemoteEndPoint?.ToString() ?? "?";
    }

    public EndPoint? RemoteEndPoint { get; }

    public string Peer { get; }

    public Task HandshakeAsync(CancellationToken cancellation) => Task.CompletedTask;

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer) => _socket.ReceiveAsync(buffer, SocketFlags.None);

    public bool CanSendNow => true;

    public int SendNow(IList<ArraySegment<byte>> segments)
    {
        var sent = _socket.Send(segments, SocketFlags.None, out var error);
        return error switch
        {
            SocketError.Success => sent,
            SocketError.WouldBlock => 0,
            _ => throw new SessionChannelException($"send failed: {error}"),
        };
    }

    public async Task SendAsync(IList<ArraySegment<byte>> segments)
    {
        var remaining = Segments.Length(segments);
        while (remaining > 0)
        {
            var sent = await _socket.SendAsync(segments, SocketFlags.None).ConfigureAwait(false);
            remaining -= sent;
            Segments.Skip(segments, sent); // a partial send on a stream socket is rare; send the rest
        }
    }

    public void Close()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // already reset by the peer or closed: nothing left to say
        }
    }

    public void Dispose() => _socket.Dispose();
}
