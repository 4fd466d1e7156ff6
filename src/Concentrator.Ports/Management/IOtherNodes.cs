namespace Concentrator.Ports.Management;

/// <summary>
/// The ports of the other nodes of a cluster, for the management API and the dashboard. A single host has none
/// (<see cref="SingleHost"/>); the cluster part of the daemon provides the real one.
/// </summary>
public interface IOtherNodes
{
    /// <summary>This node's name, or null on a single host (then ports carry no node).</summary>
    string? LocalNode { get; }

    /// <summary>The ports of every other reachable node, asked of each node now (a node that does not answer in time is left out).</summary>
    Task<IReadOnlyList<NodePortList>> ListAsync(CancellationToken cancel);

    /// <summary>
    /// Sends a management request (<see cref="GetPort"/>, <see cref="KickSession"/>, <see cref="SetLine"/>, ...) for
    /// <paramref name="port"/> to the other node that has it; null when no other reachable node has it or it did not answer.
    /// </summary>
    Task<NodeAnswer?> AskOwnerAsync(string port, object request, CancellationToken cancel);
}

/// <summary>One node's ports.</summary>
public sealed record NodePortList(string Node, IReadOnlyList<PortSnapshot> Ports);

/// <summary>What a node answered, and which node it was.</summary>
public sealed record NodeAnswer(string Node, object Answer);

/// <summary>No other nodes: the daemon is not part of a cluster.</summary>
public sealed class SingleHost : IOtherNodes
{
    public string? LocalNode => null;

    public Task<IReadOnlyList<NodePortList>> ListAsync(CancellationToken cancel) => Task.FromResult<IReadOnlyList<NodePortList>>([]);

    public Task<NodeAnswer?> AskOwnerAsync(string port, object request, CancellationToken cancel) => Task.FromResult<NodeAnswer?>(null);
}
