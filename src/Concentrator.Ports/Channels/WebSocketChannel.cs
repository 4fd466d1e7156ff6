using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using Concentrator.Ports.Admission;

namespace Concentrator.Ports.Channels;

/// <summary>
/// A session over WebSocket messages (the browser terminal): binary messages carry console bytes both ways, each
/// batch going out as one message in one frame. Text messages are the control
/// channel (<see cref="ControlJson"/>): read by <see cref="ReceiveInputAsync"/>, skipped by <see cref="ReceiveAsync"/>;
/// the server's own control messages go out as text messages between the binary ones. <see cref="SendControl"/> and
/// <see cref="Close"/> may also be called from outside the session (the web server closes it when it stops).
/// </summary>
/// <param name="socket">The accepted WebSocket; the channel owns it.</param>
/// <param name="remoteEndPoint">The client's address.</param>
/// <param name="identity">Who the web server says the caller is; null for anonymous.</param>
public sealed class WebSocketChannel(WebSocket socket, EndPoint? remoteEndPoint, Principal? identity = null) : IControlChannel
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Control messages waiting for a client that does not read; more are dropped.</summary>
    private const int MaxQueuedControl = 16;

    private readonly SemaphoreSlim _sendLock = new(1, 1); // one message at a time: data batches and control messages
    private readonly Lock _controlLock = new();
    private readonly Queue<byte[]> _control = new();
    private readonly byte[] _text = new byte[ControlJson.MaxMessageBytes];
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _controlPump = Task.CompletedTask;
    private bool _pumping;
    private int _closing;

    public EndPoint? RemoteEndPoint => remoteEndPoint;

    public string Peer { get; } = remoteEndPoint?.ToString() ?? "?";

    public Principal? Identity => identity;

    /// <summary>The lease token the client sent with its upgrade request (<c>X-Lease-Token</c>), if any.</summary>
    public string? LeaseToken { get; init; }

    /// <summary>Completes when the socket has been released: the web request that accepted it may end then.</summary>
    public Task Closed => _closed.Task;

    public Task HandshakeAsync(CancellationToken cancellation) => Task.CompletedTask; // the HTTP upgrade came first

    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer)
    {
        while (true)
        {
            var input = await ReceiveInputAsync(buffer).ConfigureAwait(false);
            if (input.Control is null)
            {
                return input.Count;
            }
        }
    }

    public async ValueTask<ChannelInput> ReceiveInputAsync(Memory<byte> buffer)
    {
        var textLength = 0;
        var textTooLong = false;
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
                    return new ChannelInput(0, null);
                case WebSocketMessageType.Binary when result.Count > 0:
                    return new ChannelInput(result.Count, null);
                case WebSocketMessageType.Text:
                    // Gathered apart from the console bytes (the caller's buffer is only scratch until a count is returned).
                    textTooLong |= textLength + result.Count > _text.Length;
                    if (!textTooLong)
                    {
                        buffer.Span[..result.Count].CopyTo(_text.AsSpan(textLength));
                        textLength += result.Count;
                    }

                    if (!result.EndOfMessage)
                    {
                        continue;
                    }

                    var control = textTooLong ? null : ControlJson.Parse(_text.AsSpan(0, textLength));
                    textLength = 0;
                    textTooLong = false;
                    if (control is not null)
                    {
                        return new ChannelInput(0, control);
                    }

                    continue; // malformed, unknown or too long: dropped
                default:
                    continue; // an empty binary frame
            }
        }
    }

    public int SendNow(IList<ArraySegment<byte>> segments) => 0;

    public async Task SendAsync(IList<ArraySegment<byte>> segments)
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        byte[]? gathered = null;
        try
        {
            if (segments.Count == 1)
            {
                await socket.SendAsync(segments[0], WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                return;
            }

            // Many small device chunks: one frame (one write to the connection) costs less than a frame and a flush each.
            var total = 0;
            foreach (var segment in segments)
            {
                total += segment.Count;
            }

            gathered = ArrayPool<byte>.Shared.Rent(total);
            var offset = 0;
            foreach (var segment in segments)
            {
                segment.AsSpan().CopyTo(gathered.AsSpan(offset));
                offset += segment.Count;
            }

            await socket.SendAsync(gathered.AsMemory(0, total), WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (WebSocketException e)
        {
            throw new SessionChannelException($"websocket send failed: {e.Message}", e);
        }
        finally
        {
            if (gathered is not null)
            {
                ArrayPool<byte>.Shared.Return(gathered);
            }

            _sendLock.Release();
        }
    }

    public void SendControl(ServerControl message)
    {
        var json = ControlJson.Encode(message);
        lock (_controlLock)
        {
            if (Volatile.Read(ref _closing) != 0 || _control.Count >= MaxQueuedControl)
            {
                return;
            }

            _control.Enqueue(json);
            if (!_pumping)
            {
                _pumping = true;
                _controlPump = Task.Run(PumpControlAsync);
            }
        }
    }

    /// <summary>Sends queued control messages one by one, each between two data messages, until the queue is empty.</summary>
    private async Task PumpControlAsync()
    {
        while (true)
        {
            byte[] next;
            lock (_controlLock)
            {
                if (!_control.TryPeek(out next!))
                {
                    _pumping = false;
                    return;
                }
            }

            await _sendLock.WaitAsync().ConfigureAwait(false);
            try
            {
                await socket.SendAsync(next, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
            {
                lock (_controlLock)
                {
                    _control.Clear(); // the broken connection is the session's to notice, through its own reads and sends
                    _pumping = false;
                }

                return;
            }
            finally
            {
                _sendLock.Release();
            }

            lock (_controlLock)
            {
                _control.Dequeue();
            }
        }
    }

    /// <summary>Sends what control messages are queued and a close frame (bounded in time), then releases the socket.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closing, 1) == 1)
        {
            return;
        }

        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            Release();
            return;
        }

        _ = CloseAsync();
    }

    private async Task CloseAsync()
    {
        using var timeout = new CancellationTokenSource(CloseTimeout);
        try
        {
            Task pump;
            lock (_controlLock)
            {
                pump = _controlPump;
            }

            await pump.WaitAsync(timeout.Token).ConfigureAwait(false);
            await _sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "session closed", timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // a client that does not take the close frame in time is cut off
        }
        finally
        {
            Release();
        }
    }

    private void Release()
    {
        try
        {
            socket.Dispose();
        }
        catch (ObjectDisposedException)
        {
            // the web request that carried it has already ended (the connection dropped)
        }

        _closed.TrySetResult();
    }

    public void Dispose()
    {
        if (Volatile.Read(ref _closing) == 0)
        {
            Release();
        }
    }
}
