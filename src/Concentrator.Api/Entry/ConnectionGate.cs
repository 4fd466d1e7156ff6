using System.Net;
using System.Net.Sockets;
using Concentrator.Ports.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Concentrator.Api.Entry;

/// <summary>
/// The HTTP entry's accept, like a serial listener's (<c>ListenerActor</c>): the API's allow/deny lists, then the
/// daemon-wide per-source limiter, before a byte of TLS or HTTP is read. A refused connection is reset at once and
/// logged once per source per interval through the daemon's one <see cref="RefusalLog"/>; one that passes holds its
/// source's slot until it closes, so keep-alive connections count as connections. A trusted proxy's connections are
/// let in uncounted: each of its requests names a client, which <see cref="ForwardedClient"/> checks instead.
/// </summary>
internal static partial class ConnectionGate
{
    /// <summary>The connection item set on a connection that holds its peer's per-source slot.</summary>
    public const string SlotHeld = "concentrator.source-slot";

    /// <summary>Must come before UseHttps: a refused source never gets a TLS handshake.</summary>
    public static ListenOptions UseConnectionGate(this ListenOptions listen, HttpEntry entry, DaemonSecurity security, ILogger log)
    {
        var endPoint = listen.IPEndPoint?.ToString() ?? "?";
        listen.Use(next => connection => PassAsync(connection, next, entry, security, log, endPoint));
        return listen;
    }

    private static async Task PassAsync(ConnectionContext connection, ConnectionDelegate next, HttpEntry entry, DaemonSecurity security,
        ILogger log, string endPoint)
    {
        var settings = entry.Settings;
        if (connection.RemoteEndPoint is not IPEndPoint { Address: var peer } || settings.TrustedProxies.Contains(peer))
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        var refusal = settings.Sources.Refusal(peer);
        IDisposable? slot = null;
        if (refusal is null && !security.Limiter.TryAcquire(peer, out slot, out refusal))
        {
            refusal ??= "over the per-source limits";
        }

        if (refusal is not null)
        {
            Refuse(connection, peer, refusal, security.Refusals, log, endPoint);
            return;
        }

        using (slot)
        {
            connection.Items[SlotHeld] = true;
            await next(connection).ConfigureAwait(false);
        }
    }

    /// <summary>Reset rather than closed (no TIME_WAIT left behind for a flood), as the listeners do.</summary>
    private static void Refuse(ConnectionContext connection, IPAddress peer, string refusal, RefusalLog refusals, ILogger log, string endPoint)
    {
        try
        {
            connection.Features.Get<IConnectionSocketFeature>()?.Socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // already gone
        }

        connection.Abort(new ConnectionAbortedException("refused at accept: " + refusal));
        if (refusals.ShouldLog(peer, "accept", out var suppressed))
        {
            LogRefused(log, endPoint, SourceAddress.Normalize(peer).ToString(), refusal, refusals.Summary(suppressed));
        }
    }

    /// <summary>
    /// The request side: an HTTP/1 connection carries one request at a time, so a stream a request on a counted
    /// connection turns into (a feed, a terminal) has the connection's slot and takes no second one
    /// (<see cref="StreamSlots"/>); HTTP/2 multiplexes, so its streams count one by one.
    /// </summary>
    public static IApplicationBuilder UseConnectionSlotsForStreams(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (!HttpProtocol.IsHttp2(context.Request.Protocol) && !HttpProtocol.IsHttp3(context.Request.Protocol) &&
                context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(SlotHeld) == true)
            {
                StreamSlots.CarrierHoldsSlot(); // for the rest of this request's async flow, which this await keeps
            }

            await next(context).ConfigureAwait(false);
        });

    [LoggerMessage(Level = LogLevel.Warning, Message = "api {EndPoint}: refused {Source}: {Refusal}{More}")]
    private static partial void LogRefused(ILogger logger, string endPoint, string source, string refusal, string more);
}
