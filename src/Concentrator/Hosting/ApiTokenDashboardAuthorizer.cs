using Concentrator.Api.Auth;
using Concentrator.Api.Entry;
using Concentrator.Ports.Security;
using Concentrator.Web.Access;
using Microsoft.AspNetCore.Http;

namespace Concentrator.Hosting;

/// <summary>
/// The dashboard's principals are the management API's: a bearer token (the <c>Authorization</c> header), or the
/// session of the <see cref="CookieName"/> cookie that <see cref="DashboardLogin"/> sets (a browser sends no header on
/// page loads, EventSource or WebSocket; the cookie holds a session id, never the token), with its role — admin:
/// everything, read: watch only. A session signed in with a users-file password is that user (port ACLs name it
/// "alice", "@group"): it may watch and open terminals, which the port's ACL admits or refuses like a password
/// listener's session; actions on ports (kick, break, line) stay with admin tokens. Without a token or session,
/// loopback callers get what the API gives them (everything with allow-anonymous-actions, else watching; nothing with
/// allow-anonymous-reads = off or through a proxy not in trusted-proxies, see <see cref="LoopbackTrust"/>); others
/// nothing. A cookie that names no live session gets nothing.
/// </summary>
public sealed class ApiTokenDashboardAuthorizer(ApiAccess access, DashboardSessions sessions, DaemonSecurity security) : IDashboardAuthorizer
{
    public const string CookieName = "concentrator_session";

    public ValueTask<DashboardAccess> AuthorizeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var header = context.Request.Headers.Authorization.ToString();
        if (BearerHeader.IsPresent(header))
        {
            // Read as the API reads it; a credential that is not a bearer token gets nothing, never the loopback rights.
            return ValueTask.FromResult(BearerHeader.TryParse(header, out var token) ? Of(access.Find(token)) : DashboardAccess.Denied);
        }

        if (context.Request.Cookies[CookieName] is { Length: > 0 } session)
        {
            return ValueTask.FromResult(sessions.Find(session) switch
            {
                TokenSignIn token => Of(access.FindByHash(token.TokenHash)),
                UserSignIn user => Of(user),
                _ => DashboardAccess.Denied,
            });
        }

        return ValueTask.FromResult(!LoopbackTrust.Grants(context, out _) ? DashboardAccess.Denied
            : new DashboardAccess(LoopbackDashboardAuthorizer.LocalPrincipal,
                access.AllowAnonymousActions ? DashboardRights.All : DashboardRights.View));
    }

    /// <summary>A user session holds while the users file (after any reload) has the user with the same password.</summary>
    private DashboardAccess Of(UserSignIn user) =>
        security.Settings.Users.Find(user.Name) is { } account && string.Equals(account.Hash, user.PasswordHash, StringComparison.Ordinal)
            ? DashboardAccess.User(account.Name, account.Groups, DashboardRights.View | DashboardRights.Terminal)
            : DashboardAccess.Denied;

    private static DashboardAccess Of(ApiToken? token) => token is null
        ? DashboardAccess.Denied
        : new DashboardAccess(token.Name, token.Role switch
        {
            ApiRole.Admin => DashboardRights.All,
            ApiRole.Audit => DashboardRights.View | DashboardRights.Audit,
            _ => DashboardRights.View,
        });
}
