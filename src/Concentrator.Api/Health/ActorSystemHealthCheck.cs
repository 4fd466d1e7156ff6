using Akka.Actor;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Concentrator.Api.Health;

/// <summary>The actor system is running (not terminated or terminating).</summary>
public sealed class ActorSystemHealthCheck(ActorSystem system) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(system.WhenTerminated.IsCompleted
            ? HealthCheckResult.Unhealthy("the actor system has terminated")
            : HealthCheckResult.Healthy($"actor system {system.Name} is up"));
}
