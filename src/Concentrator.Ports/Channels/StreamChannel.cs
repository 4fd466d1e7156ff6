using System.Net;

namespace Concentrator.Ports.Channels;

/// <summary>
/// A session over a <see cref="Stream"/>: an SslStream (TLS listeners) or any other byte stream. Streams have no
/// non-blocking send, so every batch goes through <see cref="SendAsync"/>, copied into one buffer first so TLS
/// writes one run of records per batch rather than one per chunk.
/// </summary>
/// <param name="stream">The stream; owned (disposed) by the channel.</param>
/// <param name="remoteEndPoint">The client's address, from the socket under the stream.</param>
/// <param name="handshake">Run before any console byte flows (e.g. SslStream.AuthenticateAsServerAsync); none for a plain stream.</param>
public sealed class StreamChannel(Stream stream, EndPoint? remoteEndPoint, Func<CancellationToken, Task>? handshake = null) : ISessionChannel
{
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

    public void Close() => stream.Close();

    public void Dispose() => stream.Dispose();
}
