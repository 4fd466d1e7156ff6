using System.Net;
using Concentrator.Api.Entry;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Concentrator.Api.Auth;

/// <summary>
/// Bearer tokens checked against the tokens file's hashes. No token: a loopback caller that asked for a loopback host
/// is the "loopback" principal (reads unless allow-anonymous-reads = off; acts only with allow-anonymous-actions; see
/// <see cref="LoopbackTrust"/>), anyone else is not authenticated (401):
/// a page that rebound its own name to 127.0.0.1 sends its name as the Host, and gets nothing (see <see cref="BrowserBoundary"/>). A token that matches
/// nothing is a 401 even from loopback, so a typo is noticed. Never logs a token. 401 and 403 are problem+json.
/// </summary>
public sealed partial class TokenAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiAccess access) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ConcentratorToken";

    /// <summary>Our own one line per refused token (ASP.NET's handler lines are filtered out as chatter; see ManagementApi).</summary>
    private readonly ILogger _audit = logger.CreateLogger("Concentrator.Api.Auth");

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return Task.FromResult(LoopbackTrust.Grants(Context, out _)
                ? Success("loopback", ApiPolicies.LoopbackRole)
                : AuthenticateResult.NoResult());
        }

        if (!BearerHeader.TryParse(header, out var presented))
        {
            return Task.FromResult(AuthenticateResult.Fail("the Authorization header must be 'Bearer TOKEN'"));
        }

        var token = access.Find(presented);
        if (token is null)
        {
            LogUnknownToken(_audit, Context.Connection.RemoteIpAddress?.ToString() ?? "?", Request.Method, Request.Path);
            return Task.FromResult(AuthenticateResult.Fail("the bearer token matches no token in the tokens file"));
        }

        return Task.FromResult(Success("api token " + token.Name, TokenFile.RoleWord(token.Role), token.Name));
    }

    private AuthenticateResult Success(string name, string role, string? tokenName = null)
    {
        List<Claim> claims = [new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)];
        if (tokenName is not null)
        {
            claims.Add(new Claim(ApiPolicies.TokenNameClaim, tokenName));
        }

        var identity = new ClaimsIdentity(claims, SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await Context.AuthenticateAsync(SchemeName).ConfigureAwait(false);
        Response.Headers.WWWAuthenticate = "Bearer";
        LoopbackTrust.Grants(Context, out var notTrusted); // a loopback caller refused by the entry's rules hears which one
        var why = notTrusted ?? (IsLoopback(Context.Connection.RemoteIpAddress)
            ? $"the Host header ('{Request.Host.Host}') is no loopback name: a bearer token is required (Authorization: Bearer TOKEN)"
            : "a bearer token is required from this address (Authorization: Bearer TOKEN)");
        await WriteProblem(StatusCodes.Status401Unauthorized, "Unauthorized", result.Failure?.Message ?? why).ConfigureAwait(false);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblem(StatusCodes.Status403Forbidden, "Forbidden", Context.User.IsInRole(ApiPolicies.LoopbackRole)
            ? "actions need a token with a role for them (or allow-anonymous-actions = on for loopback callers)"
            : $"{ApiPolicies.Who(Context.User)} ({RoleOf(Context.User)}) may not do this: {Needed(Context)}");

    private static string RoleOf(ClaimsPrincipal user) =>
        user.FindFirst(ClaimTypes.Role)?.Value ?? "no role";

    /// <summary>Which roles the endpoint takes, from its policy.</summary>
    private static string Needed(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>()?.Policy switch
        {
            ApiPolicies.Operate => "it needs an operate or admin token",
            ApiPolicies.Lease => "it needs a lease or admin token",
            _ => "it needs an admin token",
        };

    private async Task WriteProblem(int status, string title, string detail)
    {
        Response.StatusCode = status;
        var problems = Context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        }).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "api: {Peer} sent a bearer token that matches no token in the tokens file ({Method} {Path})")]
    private static partial void LogUnknownToken(ILogger logger, string peer, string method, string path);

    private static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
}
