using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Concentrator.Api.Health;

/// <summary>
/// GET /healthz: 200 when the actor system is up, the ports supervisor answers and every listener accepts; 503
/// otherwise. Open to every caller (it tells nothing but up or down) so load balancers and probes need no token.
/// </summary>
public static class HealthEndpoints
{
    public static IServiceCollection AddDaemonHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<ActorSystemHealthCheck>("actor-system")
            .AddCheck<PortsHealthCheck>("ports")
            .AddCheck<ClusterHealthCheck>("cluster");
        return services;
    }

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
            ResponseWriter = WriteAsync,
        }).WithTags("Health");

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var view = new HealthView(Word(report.Status),
            report.Entries.ToDictionary(e => e.Key, e => new HealthCheckView(Word(e.Value.Status), e.Value.Description)));
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, view, ApiJsonContext.Default.HealthView, context.RequestAborted);
    }

    private static string Word(HealthStatus status) => status.ToString().ToLowerInvariant();
}
