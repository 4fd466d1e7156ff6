using System.Net;

namespace Concentrator.Ports.Security;

/// <summary>
/// Long-lived HTTP streams (a browser terminal's WebSocket, the dashboard's and the lease event feeds) count against
/// the same per-source limits as serial listeners' connections (<see cref="SourceLimiter"/>: connections per source,
/// accept rate), so one viewer cannot take every slot of a feed, and a source refused on the listeners is refused here.
/// The HTTP entry counts connections at accept too: a stream whose carrier already holds its source's slot (an HTTP/1
/// connection, which the stream then has to itself, or a request a trusted proxy forwarded) takes no second one; the
/// streams an HTTP/2 connection multiplexes each take their own.
/// </summary>
public static class StreamSlots
{
    private static readonly AsyncLocal<bool> CarrierCounted = new();

    /// <summary>
    /// The HTTP entry says the request being served already holds its source's slot; true for the rest of the calling
    /// async flow (the request), so a stream it turns into is not counted twice.
    /// </summary>
    public static void CarrierHoldsSlot() => CarrierCounted.Value = true;

    /// <summary>
    /// A slot for a stream from <paramref name="source"/> (dispose it when the stream ends), or the reason it is refused.
    /// Without the daemon's security (a host that serves no listeners), or when its carrier holds a slot already,
    /// every stream is let through without one.
    /// </summary>
    public static bool TryTake(DaemonSecurity? security, IPAddress? source, out IDisposable? slot, out string? refusal)
    {
        slot = null;
        refusal = null;
        if (security is null || source is null || CarrierCounted.Value)
        {
            return true;
        }

        return security.Limiter.TryAcquire(source, out slot, out refusal);
    }
}
