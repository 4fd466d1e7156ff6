using Concentrator.Api.Auth;
using Concentrator.Ports.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Concentrator.Api.Metrics;

/// <summary>
/// GET /metrics: the <see cref="PortMetrics"/> instruments in Prometheus text format, through OpenTelemetry's
/// Prometheus exporter (names start with concentrator_). A read endpoint like the rest: without a token only
/// loopback scrapers are served.
/// </summary>
public static class MetricsEndpoints
{
    public const string Path = "/metrics";

    public static IServiceCollection AddDaemonMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(PortMetrics.MeterName)
            .AddPrometheusExporter());
        return services;
    }

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPrometheusScrapingEndpoint(Path).RequireAuthorization(ApiPolicies.Read).WithTags("Metrics");
}
