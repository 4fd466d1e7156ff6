using Concentrator.Ports.Configuration;

namespace Concentrator.Web;

/// <summary>How the dashboard and the browser terminal serve; set through <see cref="DashboardServiceCollectionExtensions.AddConcentratorDashboard"/>.</summary>
public sealed class DashboardOptions
{
    /// <summary>How much device output may wait for a browser terminal that cannot keep up (like a listener's output-queue).</summary>
    public long TerminalOutputQueueBytes { get; set; } = 1 << 20;

    /// <summary>
    /// What happens to a browser terminal that cannot keep up: the oldest output is dropped (with a notice) by default,
    /// since a person watching a console would rather lose old output than the session; the port never waits for it.
    /// </summary>
    public OverflowPolicy TerminalOverflow { get; set; } = OverflowPolicy.DropOldest;

    /// <summary>
    /// How often an open dashboard's byte counters are refreshed (only ports whose snapshot changed are sent). State
    /// and session changes are pushed as they happen; this covers traffic, which changes all the time.
    /// </summary>
    public TimeSpan CounterRefresh { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long changes to one port are gathered before its snapshot is fetched and pushed.</summary>
    public TimeSpan ChangeCoalescing { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// In a cluster: how long membership and inventory changes are gathered before the nodes strip and the other
    /// nodes' ports are pushed (the replicated inventory changes with every port and session change on any node).
    /// </summary>
    public TimeSpan ClusterCoalescing { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Open dashboards (event streams) at once; more are answered 503.</summary>
    public int MaxEventSubscribers { get; set; } = 64;

    /// <summary>A comment line on an idle event stream this often, so a vanished browser is noticed.</summary>
    public TimeSpan EventKeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>WebSocket pings to the browser terminal this often; one not answered within the same time closes it.</summary>
    public TimeSpan TerminalKeepAlive { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long the live feed's watcher waits for the supervisor's word about a port. Requests do not use it: they ask
    /// through <see cref="Concentrator.Ports.Management.PortsGateway"/>, with its one timeout, as the management API does.
    /// </summary>
    public TimeSpan AskTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
