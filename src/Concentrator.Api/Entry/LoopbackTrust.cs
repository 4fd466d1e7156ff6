using System.Net;
using Concentrator.Ports.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Concentrator.Api.Entry;

/// <summary>
/// Whether a caller without a token is trusted as being on this machine ("loopback"), for the API and the dashboard
/// alike: a loopback client (the forwarded one behind a trusted proxy on this machine) that asked for a loopback
/// Host, whose request no untrusted proxy passed on, while allow-anonymous-reads is on.
/// </summary>
public static class LoopbackTrust
{
    /// <summary>
    /// True when <paramref name="context"/>'s caller is trusted as loopback. Otherwise <paramref name="why"/> says why
    /// when the caller looks local and should hear what to change (null when it simply is not on this machine).
    /// </summary>
    public static bool Grants(HttpContext context, out string? why)
    {
        ArgumentNullException.ThrowIfNull(context);
        why = null;
        if (!IsLoopback(context.Connection.RemoteIpAddress))
        {
            return false;
        }

        var source = context.Features.Get<RequestSource>();
        if (source?.IgnoredForwarding is { } header)
        {
            var proxy = source.Peer is null ? "?" : SourceAddress.Normalize(source.Peer).ToString();
            why = source.ViaTrustedProxy
                ? $"the request's {header} header names no client address this server could follow, so it gets no loopback trust: " +
                  "send a bearer token (Authorization: Bearer TOKEN), or have the proxy send X-Forwarded-For with the client's address"
                : $"the request carries {header}, so a proxy at {proxy} passed it on, and concentrator.api.trusted-proxies does not name " +
                  "that proxy: its callers get no loopback trust. Configure trusted-proxies = [\"" + proxy + "\"] in concentrator.api " +
                  "for the proxy in front of the API, or send a bearer token (Authorization: Bearer TOKEN)";
            return false;
        }

        if (!HttpOrigin.IsLoopbackHost(context.Request.Host.Host))
        {
            return false;
        }

        if (source is { ViaTrustedProxy: true } && !IsLoopback(source.Peer))
        {
            why = $"the proxy at {SourceAddress.Normalize(source.Peer!)} is on another machine: a loopback client of it is not on this one; send a bearer token";
            return false;
        }

        if (context.RequestServices.GetService<HttpEntry>() is { Settings.AllowAnonymousReads: false })
        {
            why = "callers without a token may not read here (concentrator.api.allow-anonymous-reads = off): send a bearer token " +
                  "(Authorization: Bearer TOKEN)";
            return false;
        }

        return true;
    }

    private static bool IsLoopback(IPAddress? address) => address is not null && IPAddress.IsLoopback(SourceAddress.Normalize(address));
}
