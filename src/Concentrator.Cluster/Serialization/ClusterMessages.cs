using Concentrator.Cluster.Inventory;
using Concentrator.Cluster.Leases;
using Concentrator.Leases;
using Concentrator.Ports.Management;
using Concentrator.Ports.Port;

namespace Concentrator.Cluster.Serialization;

/// <summary>Every type that crosses between nodes, bound to <see cref="ClusterMessageSerializer"/>; a new message type belongs here.</summary>
public static class ClusterMessages
{
    public static IReadOnlyList<Type> Types { get; } =
    [
        // The inventory (inside DistributedData's LWWDictionary).
        typeof(NodeInventory),
        // Lease requests and answers (LeaseAnswer covers every answer: bindings apply to subclasses).
        typeof(AcquireLease), typeof(RenewLease), typeof(ReleaseLease), typeof(RevokeLease), typeof(ListLeases), typeof(LeaseAnswer),
        typeof(MatchTags), typeof(CancelMatch), typeof(TagMatchAnswer),
        // Management requests for another node's port, and their answers.
        typeof(ListPorts), typeof(GetPort), typeof(KickSession), typeof(SetLine), typeof(SendBreakTo), typeof(ForceWriteLock),
        typeof(PortList), typeof(PortSnapshot), typeof(PortNotFound), typeof(SessionNotFound), typeof(PortOffline), typeof(Done), typeof(ActionRefused),
        typeof(LineChanged), typeof(PortLineState),
        typeof(Ports.Power.SwitchPower), typeof(Ports.Power.PowerSwitched), typeof(Ports.Power.PowerNotConfigured),
    ];

    /// <summary>The HOCON that registers the serializer and binds <see cref="Types"/> to it.</summary>
    public static string Hocon()
    {
        var serializer = typeof(ClusterMessageSerializer);
        var bindings = string.Join("\n", Types.Select(t => $"\"{t.FullName}, {t.Assembly.GetName().Name}\" = concentrator"));
        return $$"""
            akka.actor {
              serializers.concentrator = "{{serializer.FullName}}, {{serializer.Assembly.GetName().Name}}"
              serialization-identifiers { "{{serializer.FullName}}, {{serializer.Assembly.GetName().Name}}" = {{ClusterMessageSerializer.Id}} }
              serialization-bindings {
            {{bindings}}
              }
            }
            """;
    }
}
