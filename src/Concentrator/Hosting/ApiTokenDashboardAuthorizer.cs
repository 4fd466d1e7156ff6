using System.Net;
using Concentrator.Api.Auth;
using Concentrator.Web.Access;
using Microsoft.AspNetCore.Http;

namespace Concentrator.Hosting;

/// <summary>
/// The dashboard's principals are the management API's: a bearer token (the <c>Authorization</c> header, or the
/// <see cref="CookieName"/> cookie that <see cref="DashboardLogin"/> sets, since a browser sends no header on page
/// loads, EventSource or WebSocket) with its role — admin: everything, read: watch only. Without a token, loopback
/// callers get what the API gives them (everything with allow-anonymous-actions, else watching); others nothing.
/// </summary>
public sealed class ApiTokenDashboardAuthorizer(ApiAccess access) : IDashboardAuthorizer
{
    public const string CookieName = "concentrator_token";

    public ValueTask<DashboardAccess> AuthorizeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var header = context.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim()
            : context.Request.Cookies[CookieName];
        if (!string.IsNullOrEmpty(presented))
        {
            return ValueTask.FromResult(access.Find(presented) is { } token
                ? new DashboardAccess(token.Name, token.Role == ApiRole.Admin ? DashboardRights.All : DashboardRights.View)
                : DashboardAccess.Denied);
        }

        var local = context.Connection.RemoteIpAddress is { } peer && IPAddress.IsLoopback(peer) &&
                    LoopbackDashboardAuthorizer.IsLoopbackHost(context.Request.Host.Host);
        return ValueTask.FromResult(!local ? DashboardAccess.Denied
            : new DashboardAccess(LoopbackDashboardAuthorizer.LocalPrincipal,
                access.AllowAnonymousActions ? DashboardRights.All : DashboardRights.View));
    }
}
