namespace Concentrator.Web.Events;

/// <summary>One port's latest state for the dashboards: its snapshot as JSON, or null when the port was removed.</summary>
public sealed record PortUpdate(string Port, string? Json);
