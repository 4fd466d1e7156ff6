using System.Security.Claims;
using Concentrator.Ports.Admission;
using Concentrator.Ports.Management;
using Microsoft.AspNetCore.Authorization;

namespace Concentrator.Api.Auth;

/// <summary>
/// The API's four kinds of endpoint, one per <see cref="ApiRole"/>: <see cref="Read"/> (any token, or a loopback caller
/// without one), <see cref="Operate"/> (operate or admin tokens; the port then checks its ACL and lease, see
/// <see cref="Requester"/>), <see cref="Lease"/> (lease or admin tokens) and <see cref="Admin"/>. A loopback caller
/// without a token passes all of them only with allow-anonymous-actions = on (the demo), as an admin.
/// </summary>
public static class ApiPolicies
{
    public const string Read = "read";
    public const string Operate = "operate";
    public const string Lease = "lease";
    public const string Admin = "admin";

    /// <summary>Recordings and the audit trail: what people typed and saw, so not for every reader (audit or admin tokens).</summary>
    public const string Audit = "audit";

    /// <summary>The role claim of a loopback caller without a token (its token roles are <see cref="TokenFile.RoleWord"/>'s words).</summary>
    public const string LoopbackRole = "loopback";

    /// <summary>The claim that carries a token's own name (its principal is <c>web:NAME</c>).</summary>
    public const string TokenNameClaim = "concentrator:token";

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(Read, p => p.RequireAuthenticatedUser());
        options.AddPolicy(Operate, p => p.RequireAuthenticatedUser().AddRequirements(new RoleRequirement(ApiRole.Operate)));
        options.AddPolicy(Lease, p => p.RequireAuthenticatedUser().AddRequirements(new RoleRequirement(ApiRole.Lease)));
        options.AddPolicy(Admin, p => p.RequireAuthenticatedUser().AddRequirements(new RoleRequirement(ApiRole.Admin)));
        options.AddPolicy(Audit, p => p.RequireAuthenticatedUser().AddRequirements(new RoleRequirement(ApiRole.Audit)));
    }

    /// <summary>The principal's name for logs and "kicked by ..." notices, e.g. "api token alice".</summary>
    public static string Who(ClaimsPrincipal user) => user.Identity?.Name ?? "api";

    /// <summary>Whether the caller may do everything (an admin token, or a loopback caller when anonymous actions are on).</summary>
    public static bool IsAdmin(ClaimsPrincipal user, ApiAccess access) =>
        user.IsInRole(TokenFile.RoleWord(ApiRole.Admin)) || (user.IsInRole(LoopbackRole) && access.AllowAnonymousActions);

    /// <summary>The token's principal (<c>web:NAME</c>), or null for a loopback caller without a token.</summary>
    public static Principal? TokenPrincipal(ClaimsPrincipal user) =>
        user.FindFirst(TokenNameClaim)?.Value is { } name ? Principal.Web(name, null) : null;

    /// <summary>The principal of a loopback caller without a token, as the dashboard names it (ACL entry <c>web:local</c>).</summary>
    public const string LocalPrincipalName = "local";

    /// <summary>
    /// Who asks a port to act or to watch: unrestricted only for an admin (an admin token, or a loopback caller when
    /// anonymous actions are on); else the token's principal, or for a loopback caller without one the principal "local",
    /// which the port checks against its ACL and lease like anyone's.
    /// </summary>
    public static Requester RequesterOf(ClaimsPrincipal user, ApiAccess access) =>
        IsAdmin(user, access)
            ? Requester.Admin(Who(user))
            : Requester.Limited(Who(user), TokenPrincipal(user) ?? Principal.Web(LocalPrincipalName, null));

    /// <summary>Needs a token of <see cref="Role"/> or admin.</summary>
    public sealed class RoleRequirement(ApiRole role) : IAuthorizationRequirement
    {
        public ApiRole Role { get; } = role;
    }

    /// <summary>Reads allow-anonymous-actions at request time, so a reload that changes it applies at once.</summary>
    public sealed class RoleHandler(ApiAccess access) : AuthorizationHandler<RoleRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RoleRequirement requirement)
        {
            if (IsAdmin(context.User, access) || context.User.IsInRole(TokenFile.RoleWord(requirement.Role)))
            {
                context.Succeed(requirement);
            }

            return Task.CompletedTask;
        }
    }
}
