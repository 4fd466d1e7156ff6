namespace Concentrator.Cluster.Inventory;

/// <summary>
/// One node's entry in the replicated inventory: written only by that node, read by all. Readers show it only
/// while its node is an up, reachable member (<see cref="InventorySnapshot"/>): an entry is a claim, not the truth.
/// </summary>
/// <param name="Node">The node's name.</param>
/// <param name="Address">host:port of its cluster transport (where lease requests for its ports go).</param>
/// <param name="Api">URL of its management API, or null when it has none.</param>
/// <param name="Witness">A voting member without ports.</param>
/// <param name="Ports">Its ports, in name order.</param>
public sealed record NodeInventory(string Node, string Address, string? Api, bool Witness, IReadOnlyList<InventoryPort> Ports);

/// <summary>A port as the inventory shows it: what a scheduler matches on and where to connect. Session details stay on the node.</summary>
/// <param name="Name">The port's name (unique across the cluster).</param>
/// <param name="State">opening, online or offline.</param>
/// <param name="Tags">Words a scheduler matches ports by.</param>
/// <param name="Listeners">Where the port is served, e.g. "rfc2217 on 10.0.0.5:7000".</param>
/// <param name="Sessions">How many sessions are connected.</param>
/// <param name="Lease">Who holds it now, or null when it is free.</param>
public sealed record InventoryPort(string Name, string State, IReadOnlyList<string> Tags, IReadOnlyList<string> Listeners, int Sessions,
    InventoryLease? Lease);

/// <summary>The lease summary of a port: never its token.</summary>
public sealed record InventoryLease(string Id, string Holder, long Epoch, DateTimeOffset Expires);
