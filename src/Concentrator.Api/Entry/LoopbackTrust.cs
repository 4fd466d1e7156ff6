using System.Net;
using Concentrator.Ports.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Concentrator.Api.Entry;

/// <summary>
/// Whether a caller without a token is trusted as being on this machine ("loopback"), for the API and the dashboard
/// alike: a loopback client that asked for a loopback Host, while allow-anonymous-reads is on.
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
        if (!IsLoopback(context.Connection.RemoteIpAddress) || !HttpOrigin.IsLoopbackHost(context.Request.Host.Host))
        {
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
