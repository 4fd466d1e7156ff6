using System.Net;
using Concentrator.Ports.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Concentrator.Api.Entry;

/// <summary>
/// Who a request is from, first in the pipeline. From a peer in trusted-proxies, the client its forwarding headers
/// name (ASP.NET's <see cref="ForwardedHeadersMiddleware"/>, knowing those proxies only): that address is the
/// request's from then on (loopback trust, logs, sessions), and since its own connections end at the proxy, it
/// passes the API's allow/deny lists and takes a per-source slot here, for as long as the request runs. From anyone
/// else, forwarding headers are not believed and are noted (<see cref="RequestSource"/>), so the caller gets no
/// anonymous loopback trust: a proxy on this host would otherwise make every network client "loopback".
/// </summary>
internal sealed partial class ForwardedClient(RequestDelegate next, HttpEntry entry, DaemonSecurity security, ILoggerFactory logs)
{
    private readonly ILogger _log = logs.CreateLogger("Concentrator.Api.Entry");
    private volatile Forwarder? _forwarder; // rebuilt when a reload changes trusted-proxies

    public async Task InvokeAsync(HttpContext context)
    {
        var settings = entry.Settings;
        var peer = context.Connection.RemoteIpAddress;
        if (!settings.TrustedProxies.Contains(peer))
        {
            context.Features.Set(new RequestSource(peer, false, ForwardingHeaders.AnyPresent(context.Request.Headers)));
            await next(context).ConfigureAwait(false);
            return;
        }

        ForwardingHeaders.TranslateForwarded(context.Request.Headers);
        ForwarderFor(settings.TrustedProxies).ApplyForwarders(context);
        context.Features.Set(new RequestSource(peer, true, ForwardingHeaders.LeftOver(context.Request.Headers)));
        var client = context.Connection.RemoteIpAddress ?? peer!;
        var refusal = settings.Sources.Refusal(client);
        if (refusal is not null)
        {
            Refused(client, refusal);
            await WriteProblem(context, StatusCodes.Status403Forbidden, "Forbidden", $"{client} may not use this API").ConfigureAwait(false);
            return;
        }

        if (!security.Limiter.TryAcquire(client, out var slot, out refusal))
        {
            Refused(client, refusal!);
            await WriteProblem(context, StatusCodes.Status429TooManyRequests, "Too Many Requests", refusal!).ConfigureAwait(false);
            return;
        }

        using (slot)
        {
            StreamSlots.CarrierHoldsSlot();
            await next(context).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// ASP.NET's middleware, told the trusted proxies only (its defaults trust loopback) and to follow a chain of them
    /// to the first address that is not one. Used for <see cref="ForwardedHeadersMiddleware.ApplyForwarders"/> alone.
    /// </summary>
    private ForwardedHeadersMiddleware ForwarderFor(TrustedProxies proxies)
    {
        if (_forwarder is { } current && current.Proxies.Equals(proxies))
        {
            return current.Middleware;
        }

        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto,
            ForwardLimit = null,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var network in proxies.Networks)
        {
            options.KnownIPNetworks.Add(network);
        }

        var middleware = new ForwardedHeadersMiddleware(_ => Task.CompletedTask, logs, Options.Create(options));
        _forwarder = new Forwarder(proxies, middleware);
        return middleware;
    }

    private void Refused(IPAddress client, string refusal)
    {
        if (security.Refusals.ShouldLog(client, "accept", out var suppressed))
        {
            LogRefused(_log, SourceAddress.Normalize(client).ToString(), refusal, security.Refusals.Summary(suppressed));
        }
    }

    private static Task WriteProblem(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "api: refused {Source} (forwarded by a trusted proxy): {Refusal}{More}")]
    private static partial void LogRefused(ILogger logger, string source, string refusal, string more);

    private sealed record Forwarder(TrustedProxies Proxies, ForwardedHeadersMiddleware Middleware);
}

/// <summary>Puts <see cref="ForwardedClient"/> in front of everything that asks who the caller is.</summary>
public static class ForwardedClientExtensions
{
    public static IApplicationBuilder UseForwardedClient(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var services = app.ApplicationServices;
        var entry = services.GetRequiredService<HttpEntry>();
        var security = services.GetService<DaemonSecurity>() ?? DaemonSecurity.Unlimited();
        var logs = services.GetRequiredService<ILoggerFactory>();
        return app.Use(next => new ForwardedClient(next, entry, security, logs).InvokeAsync);
    }
}
