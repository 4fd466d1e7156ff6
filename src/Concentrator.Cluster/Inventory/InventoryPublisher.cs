using System.Text.Json;
using Akka.Actor;
using Akka.DistributedData;
using Akka.Event;
using Concentrator.Leases;
using Concentrator.Cluster.Membership;
using Concentrator.Ports.Management;

namespace Concentrator.Cluster.Inventory;

/// <summary>
/// Writes this node's entry of the inventory: its ports (from the ports supervisor) and their leases (from the lease
/// service), both actors of the data plane's actor system in this process. It collects again when a port or a lease
/// changes, and every <see cref="Refresh"/> in any case; it writes only when the entry changed (WriteLocal: gossip
/// spreads it within a gossip interval).
/// </summary>
public sealed class InventoryPublisher : ReceiveActor, IWithTimers
{
    /// <summary>How often the entry is collected even when no change was announced (counts of sessions, states).</summary>
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _replicator = DistributedData.Get(Context.System).Replicator;
    private readonly Akka.Cluster.Cluster _self = Akka.Cluster.Cluster.Get(Context.System);
    private readonly LocalNode _local;
    private bool _collecting;
    private bool _again;
    private string? _written;

    public ITimerScheduler Timers { get; set; } = null!;

    public InventoryPublisher(LocalNode local)
    {
        _local = local;
        Receive<Collect>(_ => StartCollecting());
        Receive<PortChanged>(_ => StartCollecting());
        Receive<LeaseEvent>(_ => StartCollecting());
        Receive<LeaseEventsSubscribed>(_ => StartCollecting());
        Receive<Collected>(Write);
        Receive<CollectFailed>(failed =>
        {
            _log.Warning("cluster: could not collect this node's ports for the inventory: {0}", failed.Problem);
            Done();
        });
        Receive<UpdateSuccess>(_ => { });
        Receive<IUpdateFailure>(f => _log.Warning("cluster: inventory write failed: {0}", f));
    }

    public static Props Props(LocalNode local) => Akka.Actor.Props.Create(() => new InventoryPublisher(local));

    protected override void PreStart()
    {
        _local.System.EventStream.Subscribe(Self, typeof(PortChanged));
        _local.Leases.Tell(new SubscribeLeaseEvents(Self), Self);
        Timers.StartPeriodicTimer(Collect.Instance, Collect.Instance, TimeSpan.Zero, Refresh);
    }

    protected override void PostStop()
    {
        _local.System.EventStream.Unsubscribe(Self);
        _local.Leases.Tell(new UnsubscribeLeaseEvents(Self), ActorRefs.NoSender);
    }

    private void StartCollecting()
    {
        if (_collecting)
        {
            _again = true; // one more round once this one is written: the change may have come after its answers
            return;
        }

        _collecting = true;
        CollectAsync().PipeTo(Self, success: c => c, failure: e => new CollectFailed(e.Message));
    }

    private async Task<Collected> CollectAsync()
    {
        var ports = await _local.Ports.Ask<PortList>(ListPorts.Instance, AskTimeout).ConfigureAwait(false);
        var leases = await _local.Leases.Ask<object>(ListLeases.Instance, AskTimeout).ConfigureAwait(false) as LeaseList;
        return new Collected(ports, leases);
    }

    private void Write(Collected collected)
    {
        var byPort = collected.Leases?.Leases.ToDictionary(l => l.Port, StringComparer.Ordinal) ?? [];
        var entry = new NodeInventory(_local.Name, _local.Address, _local.Api, _local.Witness,
        [
            .. collected.Ports.Ports.Select(p => new InventoryPort(p.Name, p.State.ToString().ToLowerInvariant(), p.Tags, p.Listeners,
                p.Sessions.Count, byPort.TryGetValue(p.Name, out var l) ? new InventoryLease(l.Id, l.Holder, l.Epoch, l.Expires) : null)),
        ]);
        var text = JsonSerializer.Serialize(entry);
        if (text != _written)
        {
            _written = text;
            _replicator.Tell(Dsl.Update(InventoryKeys.Inventory, LWWDictionary<string, NodeInventory>.Empty, WriteLocal.Instance,
                d => d.SetItem(_self, _local.Name, entry)));
        }

        Done();
    }

    private void Done()
    {
        _collecting = false;
        if (_again)
        {
            _again = false;
            StartCollecting();
        }
    }

    private sealed record Collect
    {
        public static Collect Instance { get; } = new();
    }

    private sealed record Collected(PortList Ports, LeaseList? Leases);

    private sealed record CollectFailed(string Problem);
}
