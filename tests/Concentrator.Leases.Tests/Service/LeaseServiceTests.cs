using System.Diagnostics;
using Akka.Actor;
using Concentrator.Leases.Service;
using Concentrator.Leases.Store;
using Concentrator.Leases.Tests.Support;
using Concentrator.Ports.Port;

namespace Concentrator.Leases.Tests.Service;

public sealed class LeaseServiceTests : LeaseServiceFixture
{
    private static readonly TimeSpan Ten = TimeSpan.FromMinutes(10);

    [Fact]
    public void A_grant_is_answered_and_enforced_only_once_it_is_durable()
    {
        var store = new ControllableStore(new SqliteLeaseStore(DatabasePath));
        var service = StartService(store: store);
        AwaitAvailable(service, true);
        store.HoldWrites();

        service.Tell(new AcquireLease("rpi-1", null, Ten, TimeSpan.Zero, "ci"), TestActor);
        // The sentinel: a status request behind it, answered at once. A grant answered before it is durable would come
        // first. Whatever the service told the ports while handling the acquire is in the probe already (a probe takes
        // a message on the sender's thread), so the probe is checked as it is now.
        service.Tell(GetLeaseServiceStatus.Instance, TestActor);
        ExpectMsg<LeaseServiceStatus>(Timeout);
        PortsProbe.ExpectNoMsg(TimeSpan.Zero);

        store.LetWritesThrough();
        var grant = ExpectMsg<LeaseGranted>(Timeout);
        var told = PortsProbe.ExpectMsg<PortLeaseChanged>(Timeout);
        Assert.Equal(("rpi-1", grant.Lease.Id, grant.Token, 1L), (told.Port, told.Lease!.LeaseId, told.Lease.Token, told.Lease.Epoch));
        Assert.Equal(LeaseEventKind.Granted, Assert.Single(Audit(service)).Event);
    }

    [Fact]
    public void On_expiry_the_holder_loses_the_port_at_once_and_the_next_waiter_gets_it()
    {
        var service = StartService();
        var events = CreateTestProbe();
        service.Tell(new SubscribeLeaseEvents(events.Ref));
        events.ExpectMsg<LeaseEventsSubscribed>(Timeout);
        var first = Acquire(service, "rpi-1", Ten, holder: "a");
        PortsProbe.ExpectMsg<PortLeaseChanged>(Timeout);
        var waiter = CreateTestProbe();
        service.Tell(new AcquireLease("rpi-1", null, Ten, TimeSpan.FromHours(1), "b"), waiter.Ref);
        // The sentinel: a list asked for behind it is answered after any write the acquire started (an answer never runs
        // ahead of a write before it), so a grant would come first. It shows "a" holding the port and "b" waiting.
        service.Tell(ListLeases.Instance, waiter.Ref);
        var list = waiter.ExpectMsg<LeaseList>(Timeout);
        Assert.Equal(("a", "b"), (Assert.Single(list.Leases).Holder, Assert.Single(list.Waiting).Holder));

        Clock.Advance(Ten);

        var second = waiter.ExpectMsg<LeaseGranted>(Timeout);
        Assert.Equal(("b", 2L), (second.Lease.Holder, second.Lease.Epoch));
        var ended = PortsProbe.ExpectMsg<PortLeaseChanged>(Timeout);
        Assert.Null(ended.Lease);
        Assert.Equal("expired", ended.Reason);
        Assert.Equal(second.Lease.Id, PortsProbe.ExpectMsg<PortLeaseChanged>(Timeout).Lease!.LeaseId);
        Assert.Equal([LeaseEventKind.Granted, LeaseEventKind.Expired, LeaseEventKind.Granted],
            new[] { events.ExpectMsg<LeaseEvent>(Timeout), events.ExpectMsg<LeaseEvent>(Timeout), events.ExpectMsg<LeaseEvent>(Timeout) }.Select(e => e.Kind));
        Assert.Equal(first.Lease.Id, Audit(service)[1].LeaseId);
    }

    [Fact]
    public void On_the_real_clock_a_lease_expires_no_earlier_than_its_ttl_and_the_waiter_gets_it()
    {
        var service = StartService(clock: TimeProvider.System);
        var ttl = TimeSpan.FromMilliseconds(300);
        var watch = Stopwatch.StartNew();
        Acquire(service, "rpi-1", ttl, holder: "a");

        var second = Ask<LeaseGranted>(service, new AcquireLease("rpi-1", null, Ten, TimeSpan.FromSeconds(10), "b"));

        Assert.True(watch.Elapsed >= ttl - TimeSpan.FromMilliseconds(5), $"granted again after {watch.Elapsed}");
        Assert.Equal(2, second.Lease.Epoch);
    }

    [Fact]
    public void After_a_restart_unexpired_leases_are_held_with_the_same_epoch_and_expired_ones_are_expired_with_an_audit_row()
    {
        var first = StartService();
        var kept = Acquire(first, "rpi-1", TimeSpan.FromHours(1), holder: "a", requestId: "job-1");
        var lapsed = Acquire(first, "rpi-2", Ten, holder: "b");
        Ask<LeaseRenewed>(first, new RenewLease(kept.Lease.Id, kept.Token, TimeSpan.FromHours(2)));
        Stop(first);

        Clock.Advance(TimeSpan.FromMinutes(30)); // the daemon was down for half an hour
        var second = StartService();

        var list = Ask<LeaseList>(second, ListLeases.Instance);
        var held = Assert.Single(list.Leases);
        Assert.Equal((kept.Lease.Id, kept.Lease.Epoch, Start + TimeSpan.FromHours(2)), (held.Id, held.Epoch, held.Expires));
        var retried = Acquire(second, "rpi-1", TimeSpan.FromHours(1), holder: "a", requestId: "job-1"); // a retry still gets it
        Assert.Equal((kept.Lease.Id, kept.Token, kept.Lease.Epoch), (retried.Lease.Id, retried.Token, retried.Lease.Epoch));
        Ask<LeaseGone>(second, new RenewLease(lapsed.Lease.Id, lapsed.Token));
        Assert.Equal(2, Acquire(second, "rpi-2", Ten).Lease.Epoch);

        var audit = Audit(second);
        Assert.Equal([LeaseEventKind.Granted, LeaseEventKind.Granted, LeaseEventKind.Renewed, LeaseEventKind.Expired, LeaseEventKind.Granted],
            audit.Select(a => a.Event));
        Assert.Equal((lapsed.Lease.Id, "expired while the daemon was not running"), (audit[3].LeaseId, audit[3].Detail));
        Assert.Equal("job-1", audit[0].RequestId);

        Clock.Advance(TimeSpan.FromMinutes(90)); // what was left of the 2 hours, tracked on this daemon's clock
        AwaitAssert(() => Assert.DoesNotContain(Ask<LeaseList>(second, ListLeases.Instance).Leases, l => l.Id == kept.Lease.Id), Timeout);
    }

    [Fact]
    public async Task A_retried_request_sent_twice_at_once_yields_one_lease()
    {
        var service = StartService();
        var a = service.Ask<object>(new AcquireLease(null, ["pool"], Ten, TimeSpan.Zero, "ci", RequestId: "r-1"), Timeout);
        var b = service.Ask<object>(new AcquireLease(null, ["pool"], Ten, TimeSpan.Zero, "ci", RequestId: "r-1"), Timeout);

        Assert.Equal(Assert.IsType<LeaseGranted>(await a), Assert.IsType<LeaseGranted>(await b));
        Assert.Single(Audit(service));
    }

    [Fact]
    public void Release_with_a_wrong_token_is_forbidden_and_the_port_keeps_its_lease()
    {
        var service = StartService();
        var grant = Acquire(service, "rpi-1", Ten);
        PortsProbe.ExpectMsg<PortLeaseChanged>(Timeout);

        Ask<LeaseForbidden>(service, new ReleaseLease(grant.Lease.Id, "not-the-token"));
        Ask<LeaseNotFound>(service, new ReleaseLease("nope", grant.Token));

        // The sentinel: another port's grant; what the ports hear next is that grant, so rpi-1's lease was not touched.
        var other = Acquire(service, "rpi-2", Ten);
        var told = PortsProbe.ExpectMsg<PortLeaseChanged>(Timeout);
        Assert.Equal(("rpi-2", other.Lease.Id), (told.Port, told.Lease?.LeaseId));
        Assert.Contains(Ask<LeaseList>(service, ListLeases.Instance).Leases, l => l.Id == grant.Lease.Id);
        Ask<LeaseEnded>(service, new ReleaseLease(grant.Lease.Id, grant.Token));
        var released = PortsProbe.ExpectMsg<PortLeaseChanged>(Timeout);
        Assert.Equal("rpi-1", released.Port);
        Assert.Null(released.Lease);
    }

    [Fact]
    public void When_the_port_set_changes_every_leased_port_is_told_again_and_a_removed_port_loses_its_lease()
    {
        var service = StartService();
        var kept = Acquire(service, "rpi-1", Ten);
        Acquire(service, "imx-1", Ten);
        PortsProbe.ExpectMsg<PortLeaseChanged>(Timeout);
        PortsProbe.ExpectMsg<PortLeaseChanged>(Timeout);

        service.Tell(new UpdateLeasablePorts(TestPorts.Rack(imx: 0)));

        var told = new[] { PortsProbe.ExpectMsg<PortLeaseChanged>(Timeout), PortsProbe.ExpectMsg<PortLeaseChanged>(Timeout) };
        Assert.Contains(told, t => t.Port == "rpi-1" && t.Lease?.LeaseId == kept.Lease.Id);
        Assert.Contains(told, t => t.Port == "imx-1" && t.Lease is null);
        Assert.Equal(LeaseEventKind.Revoked, Audit(service)[^1].Event);
    }

    [Fact]
    public async Task The_watch_channel_carries_every_event_after_the_leases_in_force()
    {
        var service = StartService();
        var before = Acquire(service, "rpi-1", Ten);
        await using var watch = await LeaseWatch.OpenAsync(Sys, service);
        Assert.Equal(before.Lease.Id, Assert.Single(watch.Current).Id);

        var grant = Acquire(service, "rpi-2", Ten);
        Ask<LeaseEnded>(service, new RevokeLease(grant.Lease.Id, "ops", "maintenance"));

        using var timeout = new CancellationTokenSource(Timeout);
        var granted = await watch.Events.ReadAsync(timeout.Token);
        var revoked = await watch.Events.ReadAsync(timeout.Token);
        Assert.Equal((LeaseEventKind.Granted, grant.Lease.Id), (granted.Kind, granted.Lease.Id));
        Assert.Equal((LeaseEventKind.Revoked, "ops", "maintenance"), (revoked.Kind, revoked.By, revoked.Detail));
    }
}
