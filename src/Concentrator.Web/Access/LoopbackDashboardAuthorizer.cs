using Concentrator.Ports.Security;
using System.Net;
using Microsoft.AspNetCore.Http;

namespace Concentrator.Web.Access;

/// <summary>
/// The default, like the management API's: a caller on this machine may do everything (as principal "local");
/// anyone else may do nothing. "On this machine" means a loopback peer address and a loopback name in the Host
/// header: a web page that rebinds its own DNS name to 127.0.0.1 is same-origin with itself, but its requests carry
/// its own host name and are refused (DNS rebinding).
/// </summary>
public sealed class LoopbackDashboardAuthorizer : IDashboardAuthorizer
{
    public const string LocalPrincipal = "local";

    private static readonly ValueTask<DashboardAccess> Local = ValueTask.FromResult(new DashboardAccess(LocalPrincipal, DashboardRights.All));
    private static readonly ValueTask<DashboardAccess> Refused = ValueTask.FromResult(DashboardAccess.Denied);

    public ValueTask<DashboardAccess> AuthorizeAsync(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } peer && IPAddress.IsLoopback(peer) && HttpOrigin.IsLoopbackHost(context.Request.Host.Host)
            ? Local
            : Refused;

}
