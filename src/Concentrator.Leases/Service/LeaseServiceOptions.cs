using Akka.Actor;
using Concentrator.Leases.Domain;
using Concentrator.Leases.Store;

namespace Concentrator.Leases.Service;

/// <summary>What a <see cref="LeaseService"/> needs.</summary>
/// <param name="Store">Where leases persist; the service owns it from now on and disposes it when it stops.</param>
/// <param name="Limits">TTL, wait and queue bounds.</param>
/// <param name="Ports">The ports that may be leased at start (later: <see cref="UpdateLeasablePorts"/>).</param>
/// <param name="PortsTarget">Who gets <see cref="Ports.Port.PortLeaseChanged"/> (the ports supervisor routes it to the port); Nobody to tell no one.</param>
/// <param name="RetryInterval">How often a store that failed is tried again.</param>
/// <param name="Clock">Monotonic and wall time, and timers (a fake one in tests); the system clock when null.</param>
/// <param name="Ids">Lease ids and tokens; random when null.</param>
public sealed record LeaseServiceOptions(ILeaseStore Store, LeaseLimits Limits, IReadOnlyList<LeasablePort> Ports, IActorRef PortsTarget,
    TimeSpan RetryInterval, TimeProvider? Clock = null, ILeaseIdentities? Ids = null);
