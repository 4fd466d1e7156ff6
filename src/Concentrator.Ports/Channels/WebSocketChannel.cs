using System.Net;
using System.Net.WebSockets;

namespace Concentrator.Ports.Channels;

/// <summary>
/// A session over WebSocket messages (the browser terminal): binary messages carry console bytes both ways, each
/// batch going out as one message (its chunks as fragments, so nothing is copied). Text messages are the client's
/// control channel and are not console bytes; they are skipped here until a control protocol reads them.
/// </summary>
public sealed class WebSocketChannel(WebSocket socket, EndPoint? remoteEndPoint) : ISessionChannel
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);
    private int _closing;

    public EndPoint? RemoteEndPoint => remoteEndPoint;

    public string Peer { get; } = remoteEndPoint?.ToString() ?? "?";

    public Task HandshakeAsync(CancellationToken cancellation) => Task.CompletedTask; // the HTTP upgrade came first

    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer)
    {
        while (true)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(buffer, CancellationToken.None).ConfigureAwait(false);
            }
            catch (WebSocketException e)
            {
                throw new SessionChannelException($"websocket receive failed: {e.Message}", e);
            }

            switch (result.MessageType)
            {
                case WebSocketMessageType.Close:
                    return 0;
                case WebSocketMessageType.Binary when result.Count > 0:
                    return result.Count;
                default:
                    continue; // an empty frame or a control (text) message: nothing for the device
            }
        }
    }

    public int SendNow(IList<ArraySegment<byte>> segments) => 0;

    public async Task SendAsync(IList<ArraySegment<byte>> segments)
    {
        try
        {
            for (var i = 0; i < segments.Count; i++)
            {
                await socket.SendAsync(segments[i], WebSocketMessageType.Binary, endOfMessage: i == segments.Count - 1,
                    CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (WebSocketException e)
        {
            throw new SessionChannelException($"websocket send failed: {e.Message}", e);
        }
    }

    /// <summary>Sends a close frame (bounded in time) and then releases the socket.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closing, 1) == 1)
        {
            return;
        }

        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            socket.Dispose();
            return;
        }

        var timeout = new CancellationTokenSource(CloseTimeout);
        _ = socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "session closed", timeout.Token)
            .ContinueWith(_ =>
            {
                socket.Dispose();
                timeout.Dispose();
            }, TaskScheduler.Default);
    }

    public void Dispose()
    {
        if (Volatile.Read(ref _closing) == 0)
        {
            socket.Dispose();
        }
    }
}
