using Akka.DistributedData;

namespace Concentrator.Cluster.Inventory;

/// <summary>The replicated inventory: node name → that node's entry. Each node writes only its own key.</summary>
public static class InventoryKeys
{
    public static LWWDictionaryKey<string, NodeInventory> Inventory { get; } = new("concentrator-inventory");
}
