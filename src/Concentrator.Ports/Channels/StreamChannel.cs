using System.Net;

namespace Concentrator.Ports.Channels;

/// <summary>
/// A session over a <see cref="Stream"/>: an SslStream (TLS listeners) or any other byte stream. Streams have no
/// non-blocking send, so every batch goes through <see cref="SendAsync"/>, copied into one buffer first so TLS
/// writes one run of records per batch rather than one per chunk.
/// </summary>
/// <param name="stream">The stream; owned (disposed) by the channel. A NetworkStream under it must own its socket.</param>
/// <param name="remoteEndPoint">The client's address, from the socket under the stream.</param>
/// <param name="handshake">Run before any console byte flows (e.g. SslStream.AuthenticateAsServerAsync); none for a plain stream.</param>
public sealed class StreamChannel(Stream stream, EndPoint? remoteEndPoint, Func<CancellationToken, Task>? handshake = null) : ISessionChannel
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);
    private int _closing;

    public EndPoint? RemoteEndPoint => remoteEndPoint;

    public string Peer { get; } = remoteEndPoint?.ToString() ?? "?";

    public async Task HandshakeAsync(CancellationToken cancellation)
    {
        if (handshake is null)
        {
            return;
        }

        try
        {
            await handshake(cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException)
        {
            throw new SessionChannelException($"handshake failed: {e.GetBaseException().Message}", e);
        }
    }

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer) => stream.ReadAsync(buffer);

    public int SendNow(IList<ArraySegment<byte>> segments) => 0;

    public async Task SendAsync(IList<ArraySegment<byte>> segments)
    {
        var data = segments.Count == 1 ? segments[0] : new ArraySegment<byte>(Segments.Concat(segments));
        await stream.WriteAsync(data).ConfigureAwait(false);
        await stream.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>TLS: sends close_notify (bounded in time) before the stream goes; other streams simply close.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closing, 1) == 1)
        {
            return;
        }

        if (stream is not System.Net.Security.SslStream { IsAuthenticated: true } tls)
        {
            stream.Dispose();
            return;
        }

        _ = tls.ShutdownAsync().WaitAsync(CloseTimeout)
            .ContinueWith(_ => tls.Dispose(), TaskScheduler.Default);
    }

    public void Dispose()
    {
        if (Volatile.Read(ref _closing) == 0)
        {
            stream.Dispose();
        }
    }
}
