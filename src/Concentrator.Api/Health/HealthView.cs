namespace Concentrator.Api.Health;

/// <summary>GET /healthz: "healthy" or "unhealthy", and each check's status and description.</summary>
public sealed record HealthView(string Status, IReadOnlyDictionary<string, HealthCheckView> Checks);

/// <summary>One check of <see cref="HealthView"/>.</summary>
public sealed record HealthCheckView(string Status, string? Description);
