using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Concentrator.IntegrationTests.Management;
using Concentrator.Testing;
using Xunit.Abstractions;

namespace Concentrator.IntegrationTests.Cluster;

/// <summary>
/// Cluster tests run alone (not beside the other test classes): a node's failure detector must not mistake two
/// busy cores for a dead peer, and the crash timings mean something only without that noise.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";
}

/// <summary>The cluster of the tests that do not crash anything: rack-a (oldest), rack-b, a witness; started on first use.</summary>
public sealed class SteadyCluster : IAsyncLifetime
{
    private TestCluster? _cluster;

    public TestCluster Cluster => _cluster ??= TestCluster.StartAsync(ClusterTiming.Fast,
        ("rack-a", false, [new TestPort("a-lab", true, "lab")]),
        ("rack-b", false, [new TestPort("b-lab", true, "lab", "b-board"), new TestPort("b-echo", false, "echo")]),
        ("witness", true, [])).GetAwaiter().GetResult();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _cluster?.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// Three <c>concentrator serve</c> processes on loopback forming one cluster: the inventory on every node, leases
/// decided and enforced by the port's owner whichever node was asked, kill -9 of a port node and of the oldest node
/// (the tag matcher singleton's), and the owners' audit trails free of double grants.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(SteadyCluster steady, ITestOutputHelper output) : IntegrationTest, IClassFixture<SteadyCluster>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Every_node_lists_every_port_with_its_node_and_the_cli_shows_remote_ports()
    {
        var cluster = steady.Cluster;
        string[] expected = ["a-lab@rack-a", "b-echo@rack-b", "b-lab@rack-b"];
        foreach (var node in cluster.Nodes)
        {
            Assert.Equal(expected, await TestCluster.PortsOf(node));
            var view = (await TestCluster.ClusterOf(node))!.Value;
            Assert.Equal(node.Name, view.GetProperty("self").GetString());
            Assert.True(view.GetProperty("majority").GetBoolean());
            var members = view.GetProperty("members").EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!);
            Assert.Equal(["rack-a", "rack-b", "witness"], members.Keys.Order());
            Assert.Equal(1, members["rack-a"].GetProperty("ports").GetInt32());
            Assert.Equal(2, members["rack-b"].GetProperty("ports").GetInt32());
            Assert.True(members["witness"].GetProperty("witness").GetBoolean());
            Assert.False(members["rack-a"].GetProperty("witness").GetBoolean());
            Assert.Equal(cluster["rack-b"].ApiUrl.ToString().TrimEnd('/'), members["rack-b"].GetProperty("api").GetString()?.TrimEnd('/'));
        }

        // The CLI against the witness (no ports of its own) and against rack-a: every port, with its node.
        foreach (var node in new[] { cluster["witness"], cluster["rack-a"] })
        {
            var cli = Cli.Run("ports", "--api", node.ApiUrl.ToString());
            Assert.True(cli.ExitCode == 0, cli.Stderr);
            var lines = cli.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.StartsWith("NODE", lines[0], StringComparison.Ordinal);
            Assert.Contains(lines, l => l.StartsWith("rack-b", StringComparison.Ordinal) && l.Contains("b-lab", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("rack-b", StringComparison.Ordinal) && l.Contains("b-echo", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("rack-a", StringComparison.Ordinal) && l.Contains("a-lab", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_lease_asked_of_one_node_is_granted_and_enforced_by_the_owner_and_renewed_and_released_through_the_first()
    {
        var cluster = steady.Cluster;
        var a = cluster["rack-a"];
        var b = cluster["rack-b"];
        var witness = cluster["witness"];
        var before = LeaseAuditTrail.Read(b.Store).Count;

        var reply = await a.Api.PostAsync("/api/leases", """{"port":"b-lab","ttl":"2m","holder":"job-b","forHost":"127.0.0.2","requestId":"steady-1"}""");
        Assert.True(reply.Status == HttpStatusCode.Created, reply.ToString());
        var lease = reply.Json;
        var id = lease.GetProperty("lease").GetString()!;
        var token = lease.GetProperty("token").GetString()!;
        var epoch = lease.GetProperty("epoch").GetInt64();
        Assert.True(epoch >= 1);
        Assert.Equal($"127.0.0.1:{b.Tcp["b-lab"]}", lease.GetProperty("endpoint").GetString());

        // rack-b decided: the grant is in its store's audit trail, and in none of rack-a's.
        var bTrail = LeaseAuditTrail.Read(b.Store);
        Assert.Contains(bTrail.Skip(before), r => r.LeaseId == id && r.Event == "granted" && r.Epoch == epoch);
        Assert.DoesNotContain(LeaseAuditTrail.Read(a.Store), r => r.LeaseId == id);

        // rack-b enforces it: a connection from 127.0.0.1 (not the lease's host) reads but does not write.
        var device = b.Devices["b-lab"];
        using (var holder = TcpClientSession.ConnectFrom("127.0.0.2", b.Tcp["b-lab"]))
        using (var other = TcpClientSession.Connect(b.Tcp["b-lab"]))
        {
            await Eventually.TrueAsync(async () => (await b.Api.GetAsync("/api/ports/b-lab/sessions")).Json.GetArrayLength() == 2, Timeout,
                () => "two sessions on b-lab", TestCluster.Poll);
            other.Send("from-other\n");
            holder.Send("from-holder\n");
            var written = device.ReadUntil("from-holder\n", Timeout);
            Assert.DoesNotContain("from-other", written, StringComparison.Ordinal);
            device.Write("both-see\n");
            holder.ReadUntil("both-see", Timeout);
            other.ReadUntil("both-see", Timeout);
        }

        // Every node lists it; a second acquire through the witness is refused by the owner.
        foreach (var node in cluster.Nodes)
        {
            var listed = (await node.Api.GetAsync("/api/leases")).Json.GetProperty("leases").EnumerateArray()
                .Single(l => l.GetProperty("id").GetString() == id);
            Assert.Equal(epoch, listed.GetProperty("epoch").GetInt64());
            Assert.Equal("job-b", listed.GetProperty("holder").GetString());
        }

        var second = await witness.Api.PostAsync("/api/leases", """{"port":"b-lab","ttl":"1m","holder":"intruder"}""");
        Assert.True(second.Status == HttpStatusCode.Conflict, second.ToString());

        // Renew and release through rack-a: routed to the owner.
        var expires = lease.GetProperty("expires").GetDateTimeOffset();
        var renewed = await WithLeaseToken(a, HttpMethod.Post, $"/api/leases/{id}/renew", token, """{"ttl":"10m"}""");
        Assert.True(renewed.Status == HttpStatusCode.OK, renewed.ToString());
        Assert.True(renewed.Json.GetProperty("expires").GetDateTimeOffset() > expires.AddMinutes(5));
        var released = await WithLeaseToken(a, HttpMethod.Delete, $"/api/leases/{id}", token);
        Assert.True(released.Status == HttpStatusCode.OK, released.ToString());
        Assert.Contains(LeaseAuditTrail.Read(b.Store), r => r.LeaseId == id && r.Event == "released");

        // By tags through the witness: the singleton has rack-b grant its only b-board port, with a higher epoch.
        var byTag = await witness.Api.PostAsync("/api/leases", """{"tags":["b-board"],"ttl":"1m","holder":"job-t","wait":"10s"}""");
        Assert.True(byTag.Status == HttpStatusCode.Created, byTag.ToString());
        Assert.Equal("b-lab", byTag.Json.GetProperty("port").GetString());
        Assert.True(byTag.Json.GetProperty("epoch").GetInt64() > epoch);
        var tagReleased = await WithLeaseToken(witness, HttpMethod.Delete, $"/api/leases/{byTag.Json.GetProperty("lease").GetString()}",
            byTag.Json.GetProperty("token").GetString()!);
        Assert.True(tagReleased.Status == HttpStatusCode.OK, tagReleased.ToString());
        Assert.Empty(LeaseAuditTrail.DoubleGrants(LeaseAuditTrail.Read(a.Store).Concat(LeaseAuditTrail.Read(b.Store))));
    }

    [Fact]
    public async Task Kill_9_of_a_port_node_hides_its_ports_leaves_the_others_alone_and_a_restart_brings_its_leases_back()
    {
        using var cluster = await TestCluster.StartAsync(ClusterTiming.Fast,
            ("rack-a", false, [new TestPort("a-lab", true, "crash-a")]),
            ("rack-b", false, [new TestPort("b-lab", true, "crash-b")]),
            ("witness", true, []));
        var a = cluster["rack-a"];
        var b = cluster["rack-b"];
        var witness = cluster["witness"];

        // a-lab leased for this host (the session below writes as its holder); b-lab leased through rack-a.
        var leaseA = (await a.Api.PostAsync("/api/leases", """{"port":"a-lab","ttl":"5m","holder":"job-a","forHost":"127.0.0.1"}""")).Json;
        var leaseB = await a.Api.PostAsync("/api/leases", """{"port":"b-lab","ttl":"5m","holder":"job-b","requestId":"crash-b-1"}""");
        Assert.True(leaseB.Status == HttpStatusCode.Created, leaseB.ToString());

        using var session = TcpClientSession.Connect(a.Tcp["a-lab"]);
        await Eventually.TrueAsync(async () => (await a.Api.GetAsync("/api/ports/a-lab/sessions")).Json.GetArrayLength() == 1, Timeout,
            () => "the session on a-lab", TestCluster.Poll);
        using var pump = SerialPump.Start(session, a.Devices["a-lab"]);
        Eventually.True(() => pump.Rounds >= 5 || pump.Failure is not null, Timeout, () => "the session's first round trips");

        var clock = Stopwatch.StartNew();
        b.Kill9();
        var roundsAtKill = pump.Rounds;
        // Each node's own failure detector: /api/cluster shows rack-b unreachable (no ports) on both survivors, and
        // neither lists its ports (/api/ports also drops a node that does not answer within 3 s).
        var hidden = await Task.WhenAll(new[] { a, witness }.Select(async node =>
        {
            await Eventually.TrueAsync(async () => Gone(await TestCluster.ClusterOf(node), "rack-b"), Timeout, () => $"{node} still shows rack-b reachable", TestCluster.Poll);
            var unreachable = clock.Elapsed;
            await Eventually.TrueAsync(async () => !(await TestCluster.PortsOf(node)).Contains("b-lab@rack-b"), Timeout, () => $"{node} still lists b-lab", TestCluster.Poll);
            return (Node: node.Name, Unreachable: unreachable, PortsGone: clock.Elapsed);
        }));
        foreach (var (node, unreachable, portsGone) in hidden)
        {
            output.WriteLine($"kill -9 of rack-b: {node} shows it unreachable after {unreachable.TotalSeconds:0.0} s, its ports gone after {portsGone.TotalSeconds:0.0} s");
            // heartbeat-pause 3 s: unreachable within it plus a few heartbeats.
            Assert.True(portsGone < TimeSpan.FromSeconds(10), $"{node}: {portsGone}");
        }

        // A port nobody can reach now is not leased into the void; rack-a's lease is untouched.
        var orphan = await witness.Api.PostAsync("/api/leases", """{"port":"b-lab","ttl":"1m","holder":"intruder"}""");
        Assert.True(orphan.Status is HttpStatusCode.NotFound or HttpStatusCode.ServiceUnavailable, orphan.ToString());
        var kept = (await a.Api.GetAsync("/api/leases")).Json.GetProperty("leases").EnumerateArray().Single();
        Assert.Equal(leaseA.GetProperty("lease").GetString(), kept.GetProperty("id").GetString());
        Assert.Equal(leaseA.GetProperty("epoch").GetInt64(), kept.GetProperty("epoch").GetInt64());
        Assert.Equal(leaseA.GetProperty("expires").GetDateTimeOffset(), kept.GetProperty("expires").GetDateTimeOffset());
        Eventually.True(() => pump.Rounds >= roundsAtKill + 5 || pump.Failure is not null, Timeout, () => "round trips while rack-b is gone");

        // Restart rack-b with its store: it rejoins, and its lease is back with its id and epoch, renewable through rack-a.
        var restart = Stopwatch.StartNew();
        b.Start();
        await Eventually.TrueAsync(async () => await TestCluster.ClusterOf(b) is not null, TestCluster.StartTimeout, () => $"rack-b's API:\n{b.Output}", TestCluster.Poll);
        var apiUp = restart.Elapsed;
        await cluster.WaitConvergedAsync(cluster.Nodes, TestCluster.StartTimeout);
        output.WriteLine($"rack-b restarted: API up after {apiUp.TotalSeconds:0.0} s, up with its ports on every node after {restart.Elapsed.TotalSeconds:0.0} s");
        var back = (await a.Api.GetAsync("/api/leases")).Json.GetProperty("leases").EnumerateArray()
            .Single(l => l.GetProperty("port").GetString() == "b-lab");
        Assert.Equal(leaseB.Json.GetProperty("lease").GetString(), back.GetProperty("id").GetString());
        Assert.Equal(leaseB.Json.GetProperty("epoch").GetInt64(), back.GetProperty("epoch").GetInt64());
        var renewed = await WithLeaseToken(a, HttpMethod.Post, $"/api/leases/{back.GetProperty("id").GetString()}/renew",
            leaseB.Json.GetProperty("token").GetString()!);
        Assert.True(renewed.Status == HttpStatusCode.OK, renewed.ToString());
        var again = await witness.Api.PostAsync("/api/leases", """{"port":"b-lab","ttl":"1m","holder":"intruder"}""");
        Assert.True(again.Status == HttpStatusCode.Conflict, again.ToString());

        var total = pump.Stop();
        Assert.Null(pump.Failure);
        output.WriteLine($"serial session on rack-a: {total} round trips, every byte checked, none lost across the crash and the rejoin");

        var trail = LeaseAuditTrail.Read(a.Store).Concat(LeaseAuditTrail.Read(b.Store)).ToList();
        Assert.Equal(2, LeaseAuditTrail.Grants(trail));
        Assert.Empty(LeaseAuditTrail.DoubleGrants(trail));
    }

    [Fact]
    public async Task A_tag_request_waiting_at_the_singleton_is_granted_after_the_oldest_node_is_killed()
    {
        // rack-a is the oldest member: it runs the tag matcher. The only "solo" port is on rack-b.
        using var cluster = await TestCluster.StartAsync(ClusterTiming.Fast,
            ("rack-a", false, [new TestPort("a-echo", false, "other")]),
            ("rack-b", false, [new TestPort("b-solo", false, "solo")]),
            ("witness", true, []));
        var a = cluster["rack-a"];
        var b = cluster["rack-b"];
        var witness = cluster["witness"];

        var blocker = await b.Api.PostAsync("/api/leases", """{"port":"b-solo","ttl":"5m","holder":"blocker"}""");
        Assert.True(blocker.Status == HttpStatusCode.Created, blocker.ToString());
        var waiting = witness.Api.PostAsync("/api/leases", """{"tags":["solo"],"ttl":"5m","holder":"waiter","wait":"60s","requestId":"w-1"}""");

        // A request with no wait sent after it, through the same node, is answered only once the matcher tried it, and
        // the matcher tries its waiters in arrival order: the 409 means the waiter is queued at the singleton on rack-a.
        var probe = await witness.Api.PostAsync("/api/leases", """{"tags":["solo"],"ttl":"1m","holder":"probe","wait":"0s"}""");
        Assert.True(probe.Status == HttpStatusCode.Conflict, probe.ToString());
        Assert.False(waiting.IsCompleted);

        var clock = Stopwatch.StartNew();
        a.Kill9();
        var released = await WithLeaseToken(witness, HttpMethod.Delete, $"/api/leases/{blocker.Json.GetProperty("lease").GetString()}",
            blocker.Json.GetProperty("token").GetString()!);
        Assert.True(released.Status == HttpStatusCode.OK, released.ToString());

        var granted = await waiting.WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"oldest node killed: the waiting tag request was granted {clock.Elapsed.TotalSeconds:0.0} s later");
        Assert.True(granted.Status == HttpStatusCode.Created, granted.ToString());
        Assert.Equal("b-solo", granted.Json.GetProperty("port").GetString());
        Assert.True(granted.Json.GetProperty("epoch").GetInt64() > blocker.Json.GetProperty("epoch").GetInt64());
        var holders = (await b.Api.GetAsync("/api/leases")).Json.GetProperty("leases").EnumerateArray()
            .Select(l => l.GetProperty("holder").GetString()).ToList();
        Assert.Equal(["waiter"], holders);

        var trail = LeaseAuditTrail.Read(a.Store).Concat(LeaseAuditTrail.Read(b.Store)).ToList();
        Assert.Equal(2, LeaseAuditTrail.Grants(trail));
        Assert.Empty(LeaseAuditTrail.DoubleGrants(trail));
    }

    /// <summary>Whether a node's /api/cluster no longer shows <paramref name="name"/> as a reachable member with ports.</summary>
    private static bool Gone(JsonElement? view, string name) =>
        view is { } v && v.GetProperty("members").EnumerateArray().Where(m => m.GetProperty("name").GetString() == name)
            .All(m => !m.GetProperty("reachable").GetBoolean() && m.GetProperty("ports").ValueKind == JsonValueKind.Null);

    private static Task<ApiReply> WithLeaseToken(TestNode node, HttpMethod method, string path, string token, string? json = null) =>
        ApiHttp.WithLeaseTokenAsync(node.ApiUrl, method, path, token, json);

    /// <summary>
    /// Round trips on one serial session, on a thread of its own, until stopped: 64 bytes client → device, then 64
    /// bytes device → client, each compared byte for byte. The first mismatch, loss or timeout is kept in <see cref="Failure"/>.
    /// </summary>
    private sealed class SerialPump : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Thread? _thread;
        private long _rounds;

        public long Rounds => Interlocked.Read(ref _rounds);

        public Exception? Failure { get; private set; }

        public static SerialPump Start(TcpClientSession session, VirtualSerialDevice device)
        {
            var pump = new SerialPump();
            pump._thread = new Thread(() => pump.Run(session, device)) { IsBackground = true, Name = "serial-pump" };
            pump._thread.Start();
            return pump;
        }

        private void Run(TcpClientSession session, VirtualSerialDevice device)
        {
            var timeout = TimeSpan.FromSeconds(5);
            try
            {
                for (long i = 0; !_stop.IsCancellationRequested; i++)
                {
                    var up = Payload("up", i);
                    session.Send(up);
                    var got = device.ReadExactly(up.Length, timeout);
                    if (!got.AsSpan().SequenceEqual(up))
                    {
                        throw new InvalidDataException($"round {i}: the device got '{Encoding.Latin1.GetString(got)}'");
                    }

                    var down = Payload("dn", i);
                    device.Write(down);
                    var back = session.ReadExactly(down.Length, timeout);
                    if (!back.AsSpan().SequenceEqual(down))
                    {
                        throw new InvalidDataException($"round {i}: the client got '{Encoding.Latin1.GetString(back)}'");
                    }

                    Interlocked.Increment(ref _rounds);
                }
            }
            catch (Exception e)
            {
                Failure = e;
            }
        }

        private static byte[] Payload(string direction, long round)
        {
            var head = Encoding.ASCII.GetBytes($"{direction}{round:D8}:");
            var bytes = new byte[64];
            head.CopyTo(bytes, 0);
            for (var k = head.Length; k < bytes.Length; k++)
            {
                bytes[k] = (byte)((round * 31 + k * 7) & 0xff); // every byte value over the run
            }

            return bytes;
        }

        public long Stop()
        {
            _stop.Cancel();
            _thread?.Join(TimeSpan.FromSeconds(10));
            return Rounds;
        }

        public void Dispose()
        {
            Stop();
            _stop.Dispose();
        }
    }
}
