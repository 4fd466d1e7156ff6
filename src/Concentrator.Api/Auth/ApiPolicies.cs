using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace Concentrator.Api.Auth;

/// <summary>
/// The two kinds of endpoint: <see cref="Read"/> (any token, or a loopback caller without one) and <see cref="Act"/>
/// (an admin token, or a loopback caller without one when allow-anonymous-actions = on).
/// </summary>
public static class ApiPolicies
{
    public const string Read = "read";
    public const string Act = "act";

    /// <summary>Role claims <see cref="TokenAuthenticationHandler"/> gives.</summary>
    public const string AdminRole = "admin";
    public const string ReadRole = "read";
    public const string LoopbackRole = "loopback";

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(Read, p => p.RequireAuthenticatedUser());
        options.AddPolicy(Act, p => p.RequireAuthenticatedUser().AddRequirements(new ActRequirement()));
    }

    /// <summary>The principal's name for logs and "kicked by ..." notices, e.g. "api token alice".</summary>
    public static string Who(ClaimsPrincipal user) => user.Identity?.Name ?? "api";

    public sealed class ActRequirement : IAuthorizationRequirement;

    /// <summary>Reads allow-anonymous-actions at request time, so a reload that changes it applies at once.</summary>
    public sealed class ActHandler(ApiAccess access) : AuthorizationHandler<ActRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ActRequirement requirement)
        {
            if (context.User.IsInRole(AdminRole) || (context.User.IsInRole(LoopbackRole) && access.AllowAnonymousActions))
            {
                context.Succeed(requirement);
            }

            return Task.CompletedTask;
        }
    }
}
