using Akka.Actor;
using Concentrator.Leases.Domain;
using Concentrator.Leases.Store;
using Concentrator.Leases.Tests.Support;

namespace Concentrator.Leases.Tests.Service;

/// <summary>
/// Many schedulers at once on the real clock and a real SQLite file: 1,000 concurrent acquires for 16 ports, by name
/// and by tag, each holding briefly then releasing or letting the lease expire. The audit trail, read back from the
/// database, must show every port held by one lease at a time.
/// </summary>
public sealed class ConcurrencyTests : LeaseServiceFixture
{
    private const int Requests = 1000;

    [Fact]
    public async Task A_thousand_concurrent_acquires_for_16_ports_never_grant_a_port_twice_at_once()
    {
        var ports = TestPorts.Pool(16);
        var service = StartService(ports, clock: TimeProvider.System, limits: LeaseLimits.Default with { MaxWaiters = Requests });
        var random = new Random(14);
        var plans = Enumerable.Range(0, Requests).Select(i => (
            Request: new AcquireLease(i % 3 == 0 ? null : ports[random.Next(ports.Count)].Name, i % 3 == 0 ? ["pool"] : null,
                TimeSpan.FromMilliseconds(random.Next(5, 40)), TimeSpan.FromMinutes(2), $"job-{i}", RequestId: $"r-{i}"),
            Release: i % 2 == 0)).ToList();

        var outcomes = await Task.WhenAll(plans.Select(async plan =>
        {
            var answer = await service.Ask<LeaseAnswer>(plan.Request, TimeSpan.FromMinutes(3));
            if (answer is LeaseGranted granted && plan.Release)
            {
                var released = await service.Ask<LeaseAnswer>(new ReleaseLease(granted.Lease.Id, granted.Token), TimeSpan.FromMinutes(1));
                Assert.True(released is LeaseEnded or LeaseGone, $"release answered {released}"); // gone: it expired first
            }

            return answer;
        }));

        var grants = outcomes.Select(o => Assert.IsType<LeaseGranted>(o)).ToList();
        Assert.Equal(Requests, grants.Select(g => g.Lease.Id).Distinct().Count());
        AwaitAssert(() => Assert.Empty(Ask<LeaseList>(service, ListLeases.Instance).Leases), TimeSpan.FromSeconds(10));

        var audit = new List<LeaseAuditEntry>();
        for (IReadOnlyList<LeaseAuditEntry> page; (page = Ask<LeaseAuditPage>(service, new ReadLeaseAudit(audit.Count == 0 ? 0 : audit[^1].Seq, 1000)).Entries).Count > 0;)
        {
            audit.AddRange(page);
        }

        Assert.Equal(Requests, audit.Count(a => a.Event == LeaseEventKind.Granted));
        foreach (var port in audit.GroupBy(a => a.Port))
        {
            string? holding = null;
            var epoch = 0L;
            var freeSince = DateTimeOffset.MinValue;
            foreach (var entry in port.OrderBy(a => a.Seq))
            {
                if (entry.Event == LeaseEventKind.Granted)
                {
                    Assert.True(holding is null, $"port {port.Key}: lease {entry.LeaseId} granted while {holding} held it");
                    Assert.True(entry.Epoch > epoch, $"port {port.Key}: epoch {entry.Epoch} after {epoch}");
                    Assert.True(entry.At >= freeSince, $"port {port.Key}: [granted, ended) intervals overlap at {entry.At:O}");
                    (holding, epoch) = (entry.LeaseId, entry.Epoch);
                }
                else if (entry.Event == LeaseEventKind.Renewed)
                {
                    Assert.Equal(holding, entry.LeaseId);
                }
                else
                {
                    Assert.Equal(holding, entry.LeaseId);
                    holding = null;
                    freeSince = entry.At;
                }
            }

            Assert.Null(holding);
        }
    }
}
