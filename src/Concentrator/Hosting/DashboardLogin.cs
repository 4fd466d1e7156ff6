using System.Net;
using Concentrator.Api.Auth;
using Concentrator.Ports.Security;
using Concentrator.Web.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Concentrator.Hosting;

/// <summary>
/// <c>/login</c>: a form that takes an API token, or a user name and password of the users file
/// (<see cref="DashboardPasswordCheck"/>), and opens a server-side session for it (<see cref="DashboardSessions"/>),
/// whose id goes in an HttpOnly, SameSite=Strict cookie (Secure over HTTPS), so the dashboard, its live feed and its
/// terminals run as that principal. <c>/logout</c> ends the session, not only the cookie. Both take a POST from this
/// origin only: another site's page can neither sign a visitor in as someone else nor out.
/// </summary>
public static class DashboardLogin
{
    /// <summary>A sign-in form is a few hundred bytes; nothing bigger is read.</summary>
    private const long MaxFormBytes = 4096;

    private static string Form(string? problem = null) => $"""
        <!doctype html><html><head><meta charset="utf-8"><title>Concentrator: sign in</title></head>
        <body style="font-family:sans-serif;margin:3em">
        <h1>Concentrator</h1>{(problem is null ? "" : $"<p id=\"problem\" role=\"alert\" style=\"color:#b00\">{WebUtility.HtmlEncode(problem)}</p>")}
        <form id="user-login" method="post" action="/login"><p>Sign in as a user of the users file (<code>concentrator passwd NAME</code>):</p>
        <label>User <input name="user" autocomplete="username" autofocus></label>
        <label>Password <input name="password" type="password" autocomplete="current-password"></label>
        <button type="submit">Sign in</button></form>
        <form id="token-login" method="post" action="/login"><p>Or with an API token (<code>concentrator token add NAME --role admin</code>):</p>
        <input name="token" type="password" size="60" aria-label="API token">
        <button type="submit">Sign in</button></form></body></html>
        """;

    public static IEndpointRouteBuilder MapDashboardLogin(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/login", () => Results.Content(Form(), "text/html")).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapPost("/login", async (HttpContext context, ApiAccess access, DashboardSessions sessions, DaemonSecurity security,
            ILoggerFactory logs) =>
        {
            if (!SameOrigin.AllowsChange(context.Request))
            {
                return Results.Content("sign in from this server's own page\n", "text/plain", statusCode: StatusCodes.Status403Forbidden);
            }

            if (!context.Request.HasFormContentType)
            {
                return Results.Content("a sign-in is a form\n", "text/plain", statusCode: StatusCodes.Status415UnsupportedMediaType);
            }

            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = MaxFormBytes;
            }

            IFormCollection form;
            try
            {
                form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception e) when (e is BadHttpRequestException or InvalidDataException)
            {
                return Results.Content("the form is too large or malformed\n", "text/plain", statusCode: StatusCodes.Status400BadRequest);
            }

            var user = form["user"].ToString().Trim();
            if (user.Length > 0)
            {
                var (outcome, account) = await DashboardPasswordCheck.CheckAsync(security, context.Connection.RemoteIpAddress, user,
                    form["password"].ToString(), logs.CreateLogger(typeof(DashboardLogin))).ConfigureAwait(false);
                return outcome switch
                {
                    DashboardPasswordCheck.Outcome.SignedIn => SignIn(context, sessions, new UserSignIn(account!.Name, account.Hash)),
                    DashboardPasswordCheck.Outcome.Blocked => Refused(StatusCodes.Status429TooManyRequests,
                        "too many failed logins from your address; try again later"),
                    _ => Refused(StatusCodes.Status401Unauthorized, "wrong user name or password"),
                };
            }

            var presented = form["token"].ToString().Trim();
            return presented.Length > 0 && access.Find(presented) is { } token
                ? SignIn(context, sessions, new TokenSignIn(token.Sha256Hex))
                : Refused(StatusCodes.Status401Unauthorized, "unknown token");
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

    /// <summary>The form again with why, so a person in a browser can try again.</summary>
    private static IResult Refused(int status, string problem) => Results.Content(Form(problem), "text/html", statusCode: status);

    private static IResult SignIn(HttpContext context, DashboardSessions sessions, DashboardSignIn signIn)
    {
        context.Response.Cookies.Append(ApiTokenDashboardAuthorizer.CookieName, sessions.Open(signIn), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
        });
        return Results.Redirect("/", permanent: false);
    }
}
