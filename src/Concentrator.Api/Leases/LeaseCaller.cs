using System.Security.Claims;
using Concentrator.Api.Auth;

namespace Concentrator.Api.Leases;

/// <summary>
/// Who asks for a lease, as the lease table keys it. The caller is <c>web:NAME</c> for a token (an ACL and a lease
/// holder entry name it the same way), <c>web:local</c> for a loopback caller without one. Request ids are scoped to
/// the caller before they reach the table ("CALLER ID"), so a request id read from <c>GET /api/leases</c> and replayed
/// by someone else is a new request, never a way to the first one's token; views show the id as the caller gave it.
/// </summary>
public static class LeaseCaller
{
    /// <summary>The caller's holder name: <c>web:NAME</c>, or <c>web:local</c>.</summary>
    public static string Of(ClaimsPrincipal user) =>
        "web:" + (ApiPolicies.TokenPrincipal(user)?.Name ?? "local");

    /// <summary>The request id bound to its caller (caller names have no spaces), or null.</summary>
    public static string? Scope(string caller, string? requestId) => requestId is null ? null : caller + " " + requestId;

    /// <summary>The id as its caller gave it.</summary>
    public static string? Unscope(string? scoped) =>
        scoped is not null && scoped.IndexOf(' ', StringComparison.Ordinal) is var space and > 0 ? scoped[(space + 1)..] : scoped;
}
