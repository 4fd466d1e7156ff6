using Akka.Actor;
using Akka.DistributedData;

namespace Concentrator.Cluster.Inventory;

/// <summary>Follows the replicated inventory and hands every new version (all entries, trusted or not) to its publish callback.</summary>
public sealed class InventoryView : ReceiveActor
{
    public InventoryView(Action<IReadOnlyDictionary<string, NodeInventory>> publish)
    {
        Receive<Changed>(changed =>
        {
            var data = changed.Get(InventoryKeys.Inventory);
            publish(data.Entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal));
        });
    }

    public static Props Props(Action<IReadOnlyDictionary<string, NodeInventory>> publish) =>
        Akka.Actor.Props.Create(() => new InventoryView(publish));

    protected override void PreStart() => DistributedData.Get(Context.System).Replicator.Tell(Dsl.Subscribe(InventoryKeys.Inventory, Self));
}
