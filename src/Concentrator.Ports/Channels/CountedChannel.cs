using System.Net;

namespace Concentrator.Ports.Channels;

/// <summary>
/// A channel that holds one of its source's connection slots (the per-source limit) and gives it back when the
/// session disposes it, on every path a session can end by.
/// </summary>
public sealed class CountedChannel(ISessionChannel inner, IDisposable slot) : ISessionChannel
{
    public EndPoint? RemoteEndPoint => inner.RemoteEndPoint;

    public string Peer => inner.Peer;

    /// <summary>The channel inside (a TLS stream channel, a TCP channel).</summary>
    public ISessionChannel Inner => inner;

    public Task HandshakeAsync(CancellationToken cancellation) => inner.HandshakeAsync(cancellation);

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer) => inner.ReceiveAsync(buffer);

    public bool CanSendNow => inner.CanSendNow;

    public int SendNow(IList<ArraySegment<byte>> segments) => inner.SendNow(segments);

    public Task SendAsync(IList<ArraySegment<byte>> segments) => inner.SendAsync(segments);

    public void Close() => inner.Close();

    public void Dispose()
    {
        try
        {
            inner.Dispose();
        }
        finally
        {
            slot.Dispose();
        }
    }
}
