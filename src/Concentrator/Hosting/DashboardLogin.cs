using Concentrator.Api.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Concentrator.Hosting;

/// <summary>
/// <c>/login</c>: a form that takes an API token and keeps it in an HttpOnly, SameSite=Strict cookie, so the
/// dashboard, its live feed and its terminals run as that token's principal. <c>/logout</c> drops the cookie.
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
        endpoints.MapPost("/login", async (HttpContext context, ApiAccess access) =>
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            var token = form["token"].ToString().Trim();
            if (token.Length == 0 || access.Find(token) is null)
            {
                return Results.Content("unknown token\n", "text/plain", statusCode: StatusCodes.Status401Unauthorized);
            }

            context.Response.Cookies.Append(ApiTokenDashboardAuthorizer.CookieName, token, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = context.Request.IsHttps,
                Path = "/",
            });
            return Results.Redirect("/", permanent: false);
        }).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        endpoints.MapPost("/logout", (HttpContext context) =>
        {
            context.Response.Cookies.Delete(ApiTokenDashboardAuthorizer.CookieName);
            return Results.Redirect("/login", permanent: false);
        }).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        return endpoints;
    }
}
