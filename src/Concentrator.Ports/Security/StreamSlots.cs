using System.Net;

namespace Concentrator.Ports.Security;

/// <summary>
/// Long-lived HTTP streams (a browser terminal's WebSocket, the dashboard's and the lease event feeds) count against
/// the same per-source limits as serial listeners' connections (<see cref="SourceLimiter"/>: connections per source,
/// accept rate), so one viewer cannot take every slot of a feed, and a source refused on the listeners is refused here.
/// Short API requests do not count (a poller would use up the accept rate).
/// </summary>
public static class StreamSlots
{
    /// <summary>
    /// A slot for a stream from <paramref name="source"/> (dispose it when the stream ends), or the reason it is refused.
    /// Without the daemon's security (a host that serves no listeners) every stream gets a slot.
    /// </summary>
    public static bool TryTake(DaemonSecurity? security, IPAddress? source, out IDisposable? slot, out string? refusal)
    {
        slot = null;
        refusal = null;
        if (security is null || source is null)
        {
            return true;
        }

        return security.Limiter.TryAcquire(source, out slot, out refusal);
    }
}
