using Concentrator.Ports.Management;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Concentrator.Api.Health;

/// <summary>
/// The ports supervisor answers (and through it every port), and every listener still accepts. A device being
/// offline is not unhealthy: the daemon is doing its job, waiting for the adapter.
/// </summary>
public sealed class PortsHealthCheck(PortsGateway supervisor) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (await supervisor.AskAsync(ListPorts.Instance, cancellationToken).ConfigureAwait(false) is not PortList list)
        {
            return HealthCheckResult.Unhealthy(PortsGateway.NoAnswer());
        }

        var down = list.Ports.SelectMany(p => p.ListenersDown.Select(l => $"port {p.Name}: listener {l} stopped")).ToList();
        return down.Count > 0
            ? HealthCheckResult.Unhealthy(string.Join("; ", down))
            : HealthCheckResult.Healthy($"{list.Ports.Count} port(s) answering, every listener accepting");
    }
}
