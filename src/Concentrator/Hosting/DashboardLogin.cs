using Concentrator.Api.Auth;
using Concentrator.Web.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Concentrator.Hosting;

/// <summary>
/// <c>/login</c>: a form that takes an API token and opens a server-side session for it (<see cref="DashboardSessions"/>),
/// whose id goes in an HttpOnly, SameSite=Strict cookie (Secure over HTTPS), so the dashboard, its live feed and its
/// terminals run as that token's principal. <c>/logout</c> ends the session, not only the cookie. Both take a POST
/// from this origin only: another site's page can neither sign a visitor in as someone else nor out.
/// </summary>
public static class DashboardLogin
{
    private const string Form = """
        <!doctype html><html><head><meta charset="utf-8"><title>Concentrator: sign in</title></head>
        <body style="font-family:sans-serif;margin:3em">
        <h1>Concentrator</h1><p>Sign in with an API token (<code>concentrator token add NAME --role admin</code>).</p>
        <form method="post" action="/login"><input name="token" type="password" size="60" autofocus>
        <button type="submit">Sign in</button></form></body></html>
        """;

    public static IEndpointRouteBuilder MapDashboardLogin(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/login", () => Results.Content(Form, "text/html")).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapPost("/login", async (HttpContext context, ApiAccess access, DashboardSessions sessions) =>
        {
            if (!SameOrigin.AllowsChange(context.Request))
            {
                return Results.Content("sign in from this server's own page\n", "text/plain", statusCode: StatusCodes.Status403Forbidden);
            }

            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            var presented = form["token"].ToString().Trim();
            if (presented.Length == 0 || access.Find(presented) is not { } token)
            {
                return Results.Content("unknown token\n", "text/plain", statusCode: StatusCodes.Status401Unauthorized);
            }

            context.Response.Cookies.Append(ApiTokenDashboardAuthorizer.CookieName, sessions.Open(token), new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = context.Request.IsHttps,
                Path = "/",
            });
            return Results.Redirect("/", permanent: false);
        }).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        endpoints.MapPost("/logout", (HttpContext context, DashboardSessions sessions) =>
        {
            if (!SameOrigin.AllowsChange(context.Request))
            {
                return Results.Content("sign out from this server's own page\n", "text/plain", statusCode: StatusCodes.Status403Forbidden);
            }

            if (context.Request.Cookies[ApiTokenDashboardAuthorizer.CookieName] is { Length: > 0 } session)
            {
                sessions.Close(session);
            }

            context.Response.Cookies.Delete(ApiTokenDashboardAuthorizer.CookieName);
            return Results.Redirect("/login", permanent: false);
        }).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        return endpoints;
    }
}
