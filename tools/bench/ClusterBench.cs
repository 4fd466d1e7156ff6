using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Concentrator.Testing;

namespace Concentrator.Bench;

/// <summary>
/// <c>--cluster</c>: three daemons on loopback forming one cluster (rack-a, the seed and oldest member, which runs the tag
/// matcher singleton; rack-b; rack-c), each with sim:echo ports and an SQLite lease store of its own, heartbeat-pause 3 s,
/// down-after 2 s. Measured over HTTP as a scheduler would: lease grant latency through the port's owner, through another
/// node, and by tags through the singleton; kill -9 of rack-c until another node's /api/cluster shows it unreachable and
/// its /api/ports drops its ports; a restart of rack-c until it is listed up with its ports on another node; and, after
/// all that with lease churn running through the crashes, double grants in the owners' audit trails.
/// </summary>
internal static class ClusterBench
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static int Run(BenchOptions o)
    {
        var daemon = o.DaemonDll ?? Program.EnsureDaemon(Program.FindRepoRoot());
        if (daemon is null)
        {
            return 1;
        }

        var cycles = o.Full ? 1000 : 300;
        var crashes = 3;
        using var directory = new TempDirectory("cluster-bench-");
        var nodes = new[] { "rack-a", "rack-b", "rack-c" }.Select(n => new Node(n, directory.FullName)).ToList();
        var seed = nodes[0].ClusterAddress;
        nodes.ForEach(n => n.WriteConfig(seed));
        var (a, b, c) = (nodes[0], nodes[1], nodes[2]);
        Console.WriteLine($"cluster bench ({o.ModeName}): 3 nodes on loopback, {Environment.ProcessorCount} cores, {daemon}");
        try
        {
            a.Start(daemon);
            Until(() => a.Get("/api/cluster") is { } v && v.GetProperty("joined").GetBoolean(), "rack-a up");
            b.Start(daemon);
            c.Start(daemon);
            foreach (var n in nodes)
            {
                Until(() => Converged(n, nodes), $"{n.Name} sees all three nodes with their ports");
            }

            // Latency: the same port (on rack-b) asked of its owner, of rack-a, and by its tag through rack-c (singleton on rack-a).
            Cycles(b, """{"port":"rack-b-1","ttl":"1m","holder":"warm"}""", 30);
            Cycles(a, """{"port":"rack-b-1","ttl":"1m","holder":"warm"}""", 30);
            Cycles(c, """{"tags":["only-b1"],"ttl":"1m","holder":"warm"}""", 30);
            // Interleaved (one cycle of each in turn), so a busy moment of the machine falls on all three alike.
            var paths = new[] { (b, """{"port":"rack-b-1","ttl":"1m","holder":"bench"}"""), (a, """{"port":"rack-b-1","ttl":"1m","holder":"bench"}"""),
                (c, """{"tags":["only-b1"],"ttl":"1m","holder":"bench"}""") };
            var samples = paths.Select(_ => new List<double>(cycles)).ToArray();
            for (var i = 0; i < cycles; i++)
            {
                for (var p = 0; p < paths.Length; p++)
                {
                    samples[p].Add(Cycles(paths[p].Item1, paths[p].Item2, 1).P50Us);
                }
            }

            var (owner, other, tags) = (LatencyStats.From(samples[0]), LatencyStats.From(samples[1]), LatencyStats.From(samples[2]));
            Console.WriteLine($"  grant latency over HTTP ({cycles} acquire+release cycles each, acquire timed):");
            Console.WriteLine($"    through the owner (rack-b):           p50 {Ms(owner.P50Us)}, p99 {Ms(owner.P99Us)}");
            Console.WriteLine($"    through another node (rack-a):        p50 {Ms(other.P50Us)}, p99 {Ms(other.P99Us)}  " +
                $"(x{other.P50Us / owner.P50Us:0.00} p50, x{other.P99Us / owner.P99Us:0.00} p99)");
            Console.WriteLine($"    by tags via the singleton (rack-c):   p50 {Ms(tags.P50Us)}, p99 {Ms(tags.P99Us)}  " +
                $"(x{tags.P50Us / owner.P50Us:0.00} p50, x{tags.P99Us / owner.P99Us:0.00} p99)");

            // Crash runs: lease churn through every surviving node while rack-c is killed and restarted.
            using var churn = new Churn(a, b, c);
            var unreachable = new List<double>();
            var portsGone = new List<double>();
            var rejoin = new List<double>();
            var restoredOk = 0;
            for (var run = 1; run <= crashes; run++)
            {
                var held = Post(a, $$"""{"port":"rack-c-2","ttl":"10m","holder":"crash-{{run}}"}""");
                if (held.Status != 201)
                {
                    throw new InvalidOperationException($"run {run}: could not lease rack-c-2: {held.Text}");
                }

                var clock = Stopwatch.StartNew();
                c.Kill9();
                double? seenUnreachable = null;
                double? seenPortsGone = null;
                var watchers = Task.WhenAll(
                    Task.Run(() =>
                    {
                        Until(() => b.Get("/api/cluster") is { } v && v.GetProperty("members").EnumerateArray()
                            .Any(m => m.GetProperty("name").GetString() == "rack-c" && !m.GetProperty("reachable").GetBoolean()), "rack-c unreachable on rack-b");
                        seenUnreachable = clock.Elapsed.TotalSeconds;
                    }),
                    Task.Run(() =>
                    {
                        Until(() => b.GetArray("/api/ports") is { } ports && !ports.Any(p => p.GetProperty("node").GetString() == "rack-c"),
                            "rack-c's ports gone from rack-b's /api/ports");
                        seenPortsGone = clock.Elapsed.TotalSeconds;
                    }));
                watchers.Wait(Timeout);
                unreachable.Add(seenUnreachable!.Value);
                portsGone.Add(seenPortsGone!.Value);

                // Restart once the old incarnation is gone from the membership (downed and removed).
                Until(() => b.Get("/api/cluster") is { } v && v.GetProperty("members").EnumerateArray().All(m => m.GetProperty("name").GetString() != "rack-c"),
                    "rack-c removed");
                var started = Stopwatch.StartNew();
                c.Start(daemon);
                Until(() => b.Get("/api/cluster") is { } v && v.GetProperty("members").EnumerateArray().Any(m =>
                        m.GetProperty("name").GetString() == "rack-c" && m.GetProperty("status").GetString() == "up" &&
                        m.GetProperty("reachable").GetBoolean() && m.GetProperty("ports").ValueKind == JsonValueKind.Number) &&
                    b.GetArray("/api/ports") is { } ports && ports.Count(p => p.GetProperty("node").GetString() == "rack-c") == 3,
                    "rack-c up with its ports on rack-b");
                rejoin.Add(started.Elapsed.TotalSeconds);
                foreach (var n in nodes)
                {
                    Until(() => Converged(n, nodes), $"{n.Name} sees all three nodes with their ports again");
                }

                var lease = JsonDocument.Parse(held.Text).RootElement;
                if (b.GetLeases().FirstOrDefault(l => l.GetProperty("port").GetString() == "rack-c-2") is { ValueKind: JsonValueKind.Object } back &&
                    back.GetProperty("id").GetString() == lease.GetProperty("lease").GetString() &&
                    back.GetProperty("epoch").GetInt64() == lease.GetProperty("epoch").GetInt64())
                {
                    restoredOk++;
                }

                Release(b, lease);
                Console.WriteLine($"  crash {run}: rack-c unreachable on rack-b after {seenUnreachable:0.00} s, its ports gone from rack-b's /api/ports " +
                    $"after {seenPortsGone:0.00} s; restarted, up with its ports on rack-b {rejoin[^1]:0.00} s after its process started");
            }

            var churned = churn.Stop();
            var trail = nodes.SelectMany(n => LeaseAuditTrail.Read(n.Store)).ToList();
            var doubles = LeaseAuditTrail.DoubleGrants(trail);
            Console.WriteLine($"  kill -9 -> unreachable on another node: {Summary(unreachable)}");
            Console.WriteLine($"  kill -9 -> ports gone from another node's /api/ports: {Summary(portsGone)}");
            Console.WriteLine($"  restart -> up with its ports on another node: {Summary(rejoin)}");
            Console.WriteLine($"  leases restored with the same id and epoch after the restarts: {restoredOk} of {crashes}");
            Console.WriteLine($"  churn during the crash runs: {churned.Granted} grants, {churned.Refused} refused or timed out; " +
                $"audit trails: {LeaseAuditTrail.Grants(trail)} grants in all, double grants: {doubles.Count}");
            foreach (var d in doubles)
            {
                Console.WriteLine($"    DOUBLE GRANT: {d}");
            }

            return doubles.Count == 0 && restoredOk == crashes ? 0 : 3;
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            Console.Error.WriteLine($"cluster bench: {e.Message}");
            foreach (var n in nodes)
            {
                Console.Error.WriteLine($"--- {n.Name}:\n{ManagedProcess.Tail(n.Output)}");
            }

            return 1;
        }
        finally
        {
            nodes.ForEach(n => n.Dispose());
        }
    }

    private static string Ms(double us) => $"{us / 1000:0.00} ms";

    private static string Summary(List<double> seconds) =>
        $"{string.Join(" / ", seconds.Select(s => s.ToString("0.00", CultureInfo.InvariantCulture)))} s (median {seconds.Order().ElementAt(seconds.Count / 2):0.00} s)";

    private static LatencyStats Cycles(Node via, string request, int count)
    {
        var samples = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var reply = Post(via, request);
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            if (reply.Status != 201)
            {
                throw new InvalidOperationException($"acquire through {via.Name}: {reply.Status} {reply.Text}");
            }

            Release(via, JsonDocument.Parse(reply.Text).RootElement);
        }

        return LatencyStats.From(samples);
    }

    private static (int Status, string Text) Post(Node via, string json) => via.Send(HttpMethod.Post, "/api/leases", json, null);

    private static void Release(Node via, JsonElement lease)
    {
        var (status, text) = via.Send(HttpMethod.Delete, $"/api/leases/{lease.GetProperty("lease").GetString()}", null, lease.GetProperty("token").GetString());
        if (status != 200)
        {
            throw new InvalidOperationException($"release through {via.Name}: {status} {text}");
        }
    }

    private static bool Converged(Node node, List<Node> all) =>
        node.Get("/api/cluster") is { } v && v.GetProperty("members").EnumerateArray()
            .Count(m => m.GetProperty("status").GetString() == "up" && m.GetProperty("reachable").GetBoolean()) == all.Count &&
        node.GetArray("/api/ports") is { } ports && ports.Count == all.Count * 3;

    private static void Until(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Timeout.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"no {what} within {Timeout.TotalSeconds:0} s");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>Clients acquiring any "shared" port (one on each node) with a short wait and releasing it, through rack-a and rack-b.</summary>
    private sealed class Churn : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task[] _clients;
        private int _granted;
        private int _refused;

        public Churn(params Node[] via)
        {
            _clients = [.. via.Take(2).Select((node, i) => Task.Factory.StartNew(() => Loop(node, i), TaskCreationOptions.LongRunning))];
        }

        private void Loop(Node node, int client)
        {
            var n = 0;
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var reply = Post(node, $$"""{"tags":["shared"],"ttl":"20s","wait":"2s","holder":"churn-{{client}}","requestId":"churn-{{client}}-{{n++}}"}""");
                    if (reply.Status != 201)
                    {
                        Interlocked.Increment(ref _refused);
                        continue;
                    }

                    Interlocked.Increment(ref _granted);
                    var lease = JsonDocument.Parse(reply.Text).RootElement;
                    Thread.Sleep(50); // hold it a moment
                    try
                    {
                        Release(node, lease);
                    }
                    catch (InvalidOperationException)
                    {
                        // its owner died meanwhile: the lease runs out (or is released by whoever finds it after the restart)
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref _refused);
                }
            }
        }

        public (int Granted, int Refused) Stop()
        {
            _stop.Cancel();
            Task.WaitAll(_clients, Timeout);
            return (_granted, _refused);
        }

        public void Dispose()
        {
            _stop.Cancel();
            _stop.Dispose();
        }
    }

    private sealed class Node(string name, string directory) : IDisposable
    {
        private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
        private ManagedProcess? _process;
        private string _config = "";

        public string Name { get; } = name;

        public int ClusterPort { get; } = FreeTcpPort.Next();

        public int ApiPort { get; } = FreeTcpPort.Next();

        public string ClusterAddress => $"127.0.0.1:{ClusterPort}";

        public string Store => Path.Combine(directory, Name + ".db");

        public string Output => _process?.Output ?? "";

        /// <summary>Three sim:echo ports: NAME-1 tagged "only-b1" on rack-b, NAME-2, NAME-3 tagged "shared" (churn).</summary>
        public void WriteConfig(string seed)
        {
            var ports = new StringBuilder();
            for (var i = 1; i <= 3; i++)
            {
                var tags = i == 3 ? "\"shared\"" : i == 1 && Name == "rack-b" ? "\"only-b1\"" : "";
                ports.Append(CultureInfo.InvariantCulture,
                    $"    {Name}-{i} {{ device = \"sim:echo\", tags = [{tags}], listeners = [ {{ port = {FreeTcpPort.Next()}, protocol = raw }} ] }}\n");
            }

            _config = Path.Combine(directory, Name + ".conf");
            File.WriteAllText(_config, $$"""
                concentrator {
                  ports {
                {{ports}}  }
                  api { port = {{ApiPort}}, allow-anonymous-actions = on }
                  leases { store = "sqlite:{{Store}}" }
                  cluster {
                    node-name = "{{Name}}"
                    bind = "{{ClusterAddress}}"
                    seeds = ["{{seed}}"]
                    down-after = 2s
                    heartbeat-pause = 3s
                  }
                }
                """);
        }

        public void Start(string daemon)
        {
            _process?.Dispose();
            _process = ManagedProcess.Start("dotnet", [daemon, "serve", "--config", _config]);
        }

        public void Kill9()
        {
            using var process = Process.GetProcessById(_process!.Id);
            process.Kill(); // SIGKILL
            process.WaitForExit(10_000);
        }

        public (int Status, string Text) Send(HttpMethod method, string path, string? json, string? leaseToken)
        {
            using var request = new HttpRequestMessage(method, new Uri($"http://127.0.0.1:{ApiPort}{path}"));
            if (leaseToken is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Lease", leaseToken);
            }

            if (json is not null)
            {
                request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            }

            using var response = _http.Send(request);
            using var reader = new StreamReader(response.Content.ReadAsStream());
            return ((int)response.StatusCode, reader.ReadToEnd());
        }

        public JsonElement? Get(string path)
        {
            try
            {
                var (status, text) = Send(HttpMethod.Get, path, null, null);
                return status == 200 ? JsonDocument.Parse(text).RootElement : null;
            }
            catch (HttpRequestException)
            {
                return null;
            }
        }

        public List<JsonElement>? GetArray(string path) => Get(path) is { ValueKind: JsonValueKind.Array } a ? [.. a.EnumerateArray()] : null;

        public List<JsonElement> GetLeases() => Get("/api/leases") is { } v ? [.. v.GetProperty("leases").EnumerateArray()] : [];

        public void Dispose()
        {
            _process?.Dispose();
            _http.Dispose();
        }
    }
}
