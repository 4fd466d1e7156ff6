using Microsoft.AspNetCore.Http;

namespace Concentrator.Web.Access;

/// <summary>
/// The seam for authentication: decides who an HTTP caller is and what it may do, per request. The default is
/// <see cref="LoopbackDashboardAuthorizer"/>; the management API registers one that maps its bearer tokens (or the
/// authenticated <see cref="HttpContext.User"/>) to a principal and rights.
/// </summary>
public interface IDashboardAuthorizer
{
    ValueTask<DashboardAccess> AuthorizeAsync(HttpContext context);
}
