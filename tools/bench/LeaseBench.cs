using System.Diagnostics;
using Akka.Actor;
using Concentrator.Leases;
using Concentrator.Leases.Domain;
using Concentrator.Leases.Service;
using Concentrator.Leases.Store;
using Concentrator.Testing;

namespace Concentrator.Bench;

/// <summary>
/// <c>--leases</c>: the lease service on a real SQLite file (WAL, synchronous = FULL: every grant is on disk before it
/// is answered), in this process. Grant latency is one acquire's round trip (actor, store write, answer); grants per
/// second come from many clients acquiring and releasing at once (group commit shares disk syncs among them).
/// </summary>
internal static class LeaseBench
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    public static int Run(BenchOptions o)
    {
        var samples = o.Full ? 5000 : 1000;
        var window = TimeSpan.FromSeconds(o.Full ? 10 : 4);
        using var directory = new TempDirectory("lease-bench-");
        using var system = ActorSystem.Create("lease-bench", "akka.loglevel = WARNING");
        var ports = Enumerable.Range(1, 16).Select(i => new LeasablePort($"p{i:00}", ["pool"], $"127.0.0.1:{7000 + i}")).ToList();
        var store = new SqliteLeaseStore(Path.Combine(directory.FullName, "leases.db"));
        var service = system.ActorOf(LeaseService.Props(new LeaseServiceOptions(store, LeaseLimits.Default with { MaxWaiters = 10_000 },
            ports, ActorRefs.Nobody, TimeSpan.FromSeconds(1))));
        var status = service.Ask<LeaseServiceStatus>(GetLeaseServiceStatus.Instance, AskTimeout).GetAwaiter().GetResult();
        Console.WriteLine($"lease bench ({o.ModeName}): {status.Store}, {ports.Count} ports, {Environment.ProcessorCount} cores");

        Sequential(service, ports, 200); // warm-up: JIT, SQLite page cache, WAL file
        var (grant, release) = Sequential(service, ports, samples);
        Console.WriteLine($"  grant latency (one client, {grant.Samples} grants): p50 {grant.P50Us / 1000:0.00} ms, p99 {grant.P99Us / 1000:0.00} ms, " +
            $"max {grant.MaxUs / 1000:0.00} ms");
        Console.WriteLine($"  release latency: p50 {release.P50Us / 1000:0.00} ms, p99 {release.P99Us / 1000:0.00} ms");

        foreach (var clients in new[] { 16, 64 })
        {
            var (grants, latency) = Concurrent(service, clients, window);
            Console.WriteLine($"  {clients} clients acquiring any 'pool' port and releasing it for {window.TotalSeconds:0} s: " +
                $"{grants / window.TotalSeconds:0} grants/s; acquire p50 {latency.P50Us / 1000:0.00} ms, p99 {latency.P99Us / 1000:0.00} ms");
        }

        system.Terminate().Wait(AskTimeout);
        return 0;
    }

    private static (LatencyStats Grant, LatencyStats Release) Sequential(IActorRef service, List<LeasablePort> ports, int count)
    {
        var grants = new List<double>(count);
        var releases = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var granted = Ask<LeaseGranted>(service, new AcquireLease(ports[i % ports.Count].Name, null, TimeSpan.FromMinutes(1), TimeSpan.Zero, "bench"));
            grants.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            started = Stopwatch.GetTimestamp();
            Ask<LeaseEnded>(service, new ReleaseLease(granted.Lease.Id, granted.Token));
            releases.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }

        return (LatencyStats.From(grants), LatencyStats.From(releases));
    }

    private static (long Grants, LatencyStats Acquire) Concurrent(IActorRef service, int clients, TimeSpan window)
    {
        var until = Stopwatch.GetTimestamp() + (long)(window.TotalSeconds * Stopwatch.Frequency);
        var latencies = new List<double>[clients];
        var tasks = Enumerable.Range(0, clients).Select(async c =>
        {
            var mine = latencies[c] = [];
            while (Stopwatch.GetTimestamp() < until)
            {
                var started = Stopwatch.GetTimestamp();
                var answer = await service.Ask<LeaseAnswer>(new AcquireLease(null, ["pool"], TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30), $"c{c}"),
                    AskTimeout).ConfigureAwait(false);
                var granted = answer as LeaseGranted ?? throw new InvalidOperationException($"not granted: {answer}");
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                await service.Ask<LeaseAnswer>(new ReleaseLease(granted.Lease.Id, granted.Token), AskTimeout).ConfigureAwait(false);
            }
        }).ToArray();
        Task.WaitAll(tasks);
        var all = latencies.SelectMany(l => l).ToList();
        return (all.Count, LatencyStats.From(all));
    }

    private static T Ask<T>(IActorRef service, object request) where T : class =>
        service.Ask<object>(request, AskTimeout).GetAwaiter().GetResult() as T ?? throw new InvalidOperationException($"expected {typeof(T).Name}");
}
