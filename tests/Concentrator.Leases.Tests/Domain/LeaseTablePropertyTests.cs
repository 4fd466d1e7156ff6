using Concentrator.Leases.Domain;
using Concentrator.Leases.Tests.Support;
using CsCheck;

namespace Concentrator.Leases.Tests.Domain;

/// <summary>
/// Random sequences of acquires (named, tagged, with waits, priorities and request ids), renewals, releases (with
/// right and wrong tokens), revocations and the passing of time, checking after every step what must always hold.
/// </summary>
public sealed class LeaseTablePropertyTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly IReadOnlyList<LeasablePort> Rack =
    [
        TestPorts.Port("a", "x", "y"), TestPorts.Port("b", "x"), TestPorts.Port("c", "y"), TestPorts.Port("d", "x", "y", "z"),
    ];

    private static readonly string[][] TagSets = [["x"], ["y"], ["x", "y"], ["z"], ["y", "x"]];

    private abstract record Op;

    private sealed record Acquire(AcquireLease Request) : Op;

    private sealed record Release(int Pick, bool RightToken) : Op;

    private sealed record Renew(int Pick, int Minutes) : Op;

    private sealed record Revoke(int Pick) : Op;

    private sealed record Pass(int Minutes) : Op;

    private static readonly Gen<Op> AcquireOp =
        Gen.Select(Gen.Int[0, 8], Gen.Int[1, 20], Gen.OneOf(Gen.Const(0), Gen.Int[1, 30]), Gen.Int[0, 3], Gen.Int[0, 3], Gen.Int[-1, 5])
            .Select(t => (Op)new Acquire(new AcquireLease(
                t.Item1 < 4 ? Rack[t.Item1].Name : null,
                t.Item1 < 4 ? null : TagSets[t.Item1 - 4],
                TimeSpan.FromMinutes(t.Item2), TimeSpan.FromMinutes(t.Item3), "h" + t.Item5, null, t.Item4,
                t.Item6 < 0 ? null : "r" + t.Item6)));

    private static readonly Gen<Op> AnyOp = Gen.Frequency(
        (5, AcquireOp),
        (2, Gen.Select(Gen.Int[0, 9], Gen.Bool).Select(t => (Op)new Release(t.Item1, t.Item2))),
        (1, Gen.Select(Gen.Int[0, 9], Gen.Int[1, 20]).Select(t => (Op)new Renew(t.Item1, t.Item2))),
        (1, Gen.Int[0, 9].Select(p => (Op)new Revoke(p))),
        (3, Gen.Int[0, 15].Select(m => (Op)new Pass(m))));

    [Fact]
    public void No_port_is_ever_granted_twice_at_once_epochs_only_rise_and_the_queue_is_served_in_order()
    {
        AnyOp.Array[1, 80].Sample(ops =>
        {
            var table = LeaseTable.Create(LeaseLimits.Default with { MaxWaiters = 3 }, new CountingIdentities(), Rack);
            var clock = TimeSpan.Zero;
            var epochs = Rack.ToDictionary(p => p.Name, _ => 0L);
            var holding = Rack.ToDictionary(p => p.Name, _ => (string?)null);
            var leasesByRequest = new Dictionary<string, HashSet<string>>();
            foreach (var op in ops)
            {
                var now = new LeaseInstant(clock, Start + clock);
                var before = table;
                var active = table.Active.ToList();
                var step = op switch
                {
                    Acquire a => table.Acquire(a.Request, now),
                    Release r when active.Count > 0 => table.Release(new ReleaseLease(active[r.Pick % active.Count].Id,
                        r.RightToken ? active[r.Pick % active.Count].Token : "wrong"), now),
                    Renew r when active.Count > 0 => table.Renew(new RenewLease(active[r.Pick % active.Count].Id,
                        active[r.Pick % active.Count].Token, TimeSpan.FromMinutes(r.Minutes)), now),
                    Revoke r when active.Count > 0 => table.Revoke(new RevokeLease(active[r.Pick % active.Count].Id, "ops"), now),
                    Pass p => table.Advance(new LeaseInstant(clock += TimeSpan.FromMinutes(p.Minutes), Start + clock)),
                    _ => table.Advance(now),
                };
                table = step.Table;

                foreach (var change in step.Changes)
                {
                    var port = change.Lease.Port;
                    switch (change.Kind)
                    {
                        case LeaseEventKind.Granted:
                            Assert.Null(holding[port]); // never two holders of one port
                            Assert.Equal(epochs[port] + 1, change.Lease.Epoch);
                            epochs[port] = change.Lease.Epoch;
                            holding[port] = change.Lease.Id;
                            if (change.Lease.RequestId is { } rid)
                            {
                                var key = change.Lease.Holder + "/" + rid;
                                (leasesByRequest.TryGetValue(key, out var ids) ? ids : leasesByRequest[key] = []).Add(change.Lease.Id);
                            }

                            break;
                        case LeaseEventKind.Renewed:
                            Assert.Equal(holding[port], change.Lease.Id);
                            break;
                        default:
                            Assert.Equal(holding[port], change.Lease.Id);
                            holding[port] = null;
                            break;
                    }
                }

                // A request id never yields two leases (while its first lease is remembered).
                Assert.All(leasesByRequest.Values, ids => Assert.Single(ids));

                // Nothing in force is past its deadline; the table agrees with the change log.
                var at = new LeaseInstant(clock, Start + clock);
                Assert.All(table.Active, l => Assert.False(l.HasExpired(at)));
                Assert.Equal(holding.Where(h => h.Value is not null).Select(h => h.Value).Order(), table.Active.Select(l => l.Id).Order());

                // No free port is left while a waiter could have it.
                Assert.DoesNotContain(table.Ports.Values, a => a.IsFree && table.Queue.Any(w => w.Request.Target.Matches(a.Port)));

                // A waiter that got a port was the best of those still waiting that match it (priority, then arrival).
                foreach (var done in step.Waiters)
                {
                    if (done.Answer is LeaseGranted granted && before.Queue.FirstOrDefault(w => w.Seq == done.Seq) is { } winner)
                    {
                        var port = Rack.Single(p => p.Name == granted.Lease.Port);
                        Assert.DoesNotContain(table.Queue, w => w.Request.Target.Matches(port) &&
                            (w.Request.Priority > winner.Request.Priority ||
                             (w.Request.Priority == winner.Request.Priority && w.Seq < winner.Seq)));
                    }
                }
            }
        }, iter: 400);
    }
}
