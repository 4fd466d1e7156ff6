using Concentrator.Web.Assets;
using Concentrator.Web.Dashboard;
using Concentrator.Web.Events;
using Concentrator.Web.Terminal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Concentrator.Web;

/// <summary>Maps the dashboard's endpoints into a host's routing (the daemon's management API host).</summary>
public static class DashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the dashboard:
    /// <list type="bullet">
    /// <item><c>GET /</c> the dashboard page; <c>GET /ui/{path}</c> its scripts and styles, and xterm.js</item>
    /// <item><c>GET /api/events</c> the live feed (server-sent events)</item>
    /// <item><c>GET /ports/{name}/terminal</c> the browser terminal page (<c>?mode=read-only</c> for a monitor)</item>
    /// <item><c>GET /api/ports/{name}/terminal</c> its WebSocket (binary frames = bytes both ways, text frames = JSON control)</item>
    /// <item><c>GET /api/ports/{name}/scrollback</c> the scrollback as a text download</item>
    /// <item><c>POST /ui/ports/{name}/break</c>, <c>POST /ui/ports/{name}/line</c>, <c>POST /ui/ports/{name}/power</c>, <c>POST /ui/sessions/{id}/kick</c> the dashboard's actions</item>
    /// <item><c>GET /ports/{name}/recordings</c> the recordings page, its <c>recordings.json</c>, and <c>GET /recordings/{id}.cast</c></item>
    /// </list>
    /// None of these paths is the management API's, so both map into one host. The WebSocket endpoint brings its own
    /// WebSockets middleware: the host needs no <c>UseWebSockets()</c>. The endpoints decide access themselves
    /// (<see cref="Access.IDashboardAuthorizer"/>); <paramref name="conventions"/> is applied to all of them, e.g.
    /// <c>d =&gt; d.AllowAnonymous()</c> under a host whose fallback authorization policy would otherwise ask a browser
    /// for a bearer token.
    /// </summary>
    public static IEndpointRouteBuilder MapConcentratorDashboard(this IEndpointRouteBuilder endpoints,
        Action<IEndpointConventionBuilder>? conventions = null)
    {
        var assets = endpoints.ServiceProvider.GetRequiredService<EmbeddedAssets>();
        var group = endpoints.MapGroup("");
        conventions?.Invoke(group);
        group.MapGet("/", DashboardEndpoints.PageAsync);
        group.MapMethods("/ui/{**path}", [HttpMethods.Get, HttpMethods.Head],
            context => assets.ServeAsync(context, DashboardEndpoints.RouteValue(context, "path")));
        group.MapGet("/api/events", EventsEndpoint.HandleAsync);
        group.MapGet("/ports/{name}/terminal", TerminalEndpoints.PageAsync);
        group.MapGet("/api/ports/{name}/scrollback", DashboardEndpoints.ScrollbackAsync);
        group.MapPost("/ui/ports/{name}/break", DashboardEndpoints.BreakAsync);
        group.MapPost("/ui/ports/{name}/line", DashboardEndpoints.LineAsync);
        group.MapPost("/ui/ports/{name}/power", DashboardEndpoints.PowerAsync);
        group.MapPost("/ui/sessions/{id}/kick", DashboardEndpoints.KickAsync);
        group.MapGet("/ports/{name}/recordings", RecordingEndpoints.PageAsync);
        group.MapGet("/ports/{name}/recordings.json", RecordingEndpoints.ListAsync);
        group.MapGet("/recordings/{id}.cast", RecordingEndpoints.CastAsync);

        // Any method: a WebSocket over HTTP/2 is a CONNECT, over HTTP/1.1 a GET.
        var pipeline = endpoints.CreateApplicationBuilder().UseWebSockets();
        pipeline.Run(TerminalEndpoints.WebSocketAsync);
        group.Map("/api/ports/{name}/terminal", pipeline.Build());
        return endpoints;
    }
}
