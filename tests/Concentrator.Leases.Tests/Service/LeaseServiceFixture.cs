using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Concentrator.Leases.Domain;
using Concentrator.Leases.Service;
using Concentrator.Leases.Store;
using Concentrator.Leases.Tests.Support;
using Concentrator.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Concentrator.Leases.Tests.Service;

/// <summary>A lease service on a real SQLite file in a temp directory, a probe standing in for the ports, and helpers.</summary>
public abstract class LeaseServiceFixture : TestKit
{
    protected static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private readonly TempDirectory _directory = new("leases-service-");

    protected LeaseServiceFixture() => PortsProbe = CreateTestProbe("ports");

    protected TestProbe PortsProbe { get; }

    protected FakeTimeProvider Clock { get; } = new(Start);

    protected string Directory => _directory.FullName;

    protected string DatabasePath => Path.Combine(Directory, "leases.db");

    protected IActorRef StartService(IReadOnlyList<LeasablePort>? ports = null, ILeaseStore? store = null, TimeProvider? clock = null,
        LeaseLimits? limits = null) =>
        Sys.ActorOf(LeaseService.Props(new LeaseServiceOptions(store ?? new SqliteLeaseStore(DatabasePath), limits ?? LeaseLimits.Default,
            ports ?? TestPorts.Rack(), PortsProbe.Ref, TimeSpan.FromMilliseconds(200), clock ?? Clock, new CountingIdentities())));

    protected static T Ask<T>(IActorRef service, object request) where T : class
    {
        var answer = service.Ask<object>(request, Timeout).GetAwaiter().GetResult();
        return answer as T ?? throw new Xunit.Sdk.XunitException($"expected {typeof(T).Name}, got {answer}");
    }

    protected static LeaseGranted Acquire(IActorRef service, string port, TimeSpan ttl, string holder = "ci", string? requestId = null) =>
        Ask<LeaseGranted>(service, new AcquireLease(port, null, ttl, TimeSpan.Zero, holder, RequestId: requestId));

    protected static IReadOnlyList<LeaseAuditEntry> Audit(IActorRef service) => Ask<LeaseAuditPage>(service, new ReadLeaseAudit()).Entries;

    protected void Stop(IActorRef service)
    {
        Watch(service);
        Sys.Stop(service);
        ExpectTerminated(service, Timeout);
    }

    protected static void AwaitAvailable(IActorRef service, bool available) =>
        Eventually.True(() => service.Ask<LeaseServiceStatus>(GetLeaseServiceStatus.Instance, Timeout).GetAwaiter().GetResult().Available == available,
            Timeout, () => $"the lease service never became {(available ? "available" : "unavailable")}");

    protected static LeaseServiceStatus Status(IActorRef service) =>
        service.Ask<LeaseServiceStatus>(GetLeaseServiceStatus.Instance, Timeout).GetAwaiter().GetResult();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _directory.Dispose();
        }
    }
}
