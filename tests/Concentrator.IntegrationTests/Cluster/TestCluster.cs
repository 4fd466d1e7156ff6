using System.Globalization;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using Concentrator.IntegrationTests.Management;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Cluster;

/// <summary>A port a test node serves: on a pty-backed virtual device, or <c>sim:echo</c>.</summary>
public sealed record TestPort(string Name, bool Pty, params string[] Tags);

/// <summary>
/// One <c>concentrator serve</c> process of a <see cref="TestCluster"/>: its config (cluster transport, API and
/// serial listeners on free loopback ports, an SQLite lease store of its own) stays the same across kills and
/// restarts, so a restarted node is the same node with the same store.
/// </summary>
public sealed class TestNode : IDisposable
{
    private readonly string _hocon;
    private DaemonProcess? _daemon;

    internal TestNode(string name, bool witness, IReadOnlyList<TestPort> ports, string? seed, string directory, ClusterTiming timing)
    {
        Name = name;
        Witness = witness;
        ClusterPort = FreeTcpPort.Next();
        ApiPort = FreeTcpPort.Next();
        Store = Path.Combine(directory, $"{name}.db");
        var hocon = new StringBuilder("concentrator {\n");
        if (ports.Count > 0)
        {
            hocon.Append("  ports {\n");
            foreach (var port in ports)
            {
                var tcp = FreeTcpPort.Next();
                Tcp[port.Name] = tcp;
                var device = "sim:echo";
                if (port.Pty)
                {
                    var v = VirtualSerialDevice.CreateTemp($"cluster-{port.Name}");
                    Devices[port.Name] = v;
                    device = v.LinkPath;
                }

                hocon.Append(CultureInfo.InvariantCulture,
                    $"    {port.Name} {{ device = \"{device}\", tags = [{string.Join(", ", port.Tags.Select(t => $"\"{t}\""))}], " +
                    $"listeners = [ {{ port = {tcp}, protocol = raw }} ] }}\n");
            }

            hocon.Append("  }\n");
        }

        hocon.Append(CultureInfo.InvariantCulture, $$"""
              api { port = {{ApiPort}}, allow-anonymous-actions = on }
              leases { store = "sqlite:{{Store}}" }
              cluster {
                node-name = "{{name}}"
                bind = "127.0.0.1:{{ClusterPort}}"
                seeds = ["{{seed ?? $"127.0.0.1:{ClusterPort}"}}"]
                down-after = {{(int)timing.DownAfter.TotalMilliseconds}}ms
                heartbeat-pause = {{(int)timing.HeartbeatPause.TotalMilliseconds}}ms
              }
            }

            """);
        _hocon = hocon.ToString();
        Api = new ApiHttp(new Uri($"http://127.0.0.1:{ApiPort}"));
    }

    public string Name { get; }

    public bool Witness { get; }

    public int ClusterPort { get; }

    public string ClusterAddress => $"127.0.0.1:{ClusterPort}";

    public int ApiPort { get; }

    public Uri ApiUrl => new($"http://127.0.0.1:{ApiPort}");

    /// <summary>The node's SQLite lease store (its audit trail).</summary>
    public string Store { get; }

    /// <summary>TCP port of each of its ports' raw listener.</summary>
    public Dictionary<string, int> Tcp { get; } = new(StringComparer.Ordinal);

    /// <summary>The virtual devices of its pty-backed ports.</summary>
    public Dictionary<string, VirtualSerialDevice> Devices { get; } = new(StringComparer.Ordinal);

    public ApiHttp Api { get; }

    public IEnumerable<string> PortNames => Tcp.Keys;

    public bool Running => _daemon is { HasExited: false };

    /// <summary>The daemon's output so far (for failure messages).</summary>
    public string Output => _daemon?.Output ?? "";

    public void Start()
    {
        if (Running)
        {
            throw new InvalidOperationException($"node {Name} is already running");
        }

        _daemon?.Dispose();
        _daemon = Witness ? DaemonProcess.Start(_hocon, "--witness") : DaemonProcess.Start(_hocon);
    }

    /// <summary>kill -9: no leave, no goodbye; the others find out by their failure detectors.</summary>
    public void Kill9()
    {
        var daemon = _daemon ?? throw new InvalidOperationException($"node {Name} was never started");
        daemon.Process.Send(RunningProcess.Sigkill);

        Eventually.True(() => daemon.HasExited, TimeSpan.FromSeconds(10), () => $"node {Name} still runs after SIGKILL");
    }

    public void Dispose()
    {
        _daemon?.Dispose();
        Api.Dispose();
        foreach (var device in Devices.Values)
        {
            device.Dispose();
        }
    }

    public override string ToString() => Name;
}

/// <summary>Failure detection and downing of a test cluster.</summary>
public sealed record ClusterTiming(TimeSpan HeartbeatPause, TimeSpan DownAfter)
{
    public static ClusterTiming Fast { get; } = new(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2));
}

/// <summary>
/// Nodes of one cluster on loopback. The first node is the seed (it starts the cluster alone) and is started and up
/// before the others, so it is the oldest member: the one that runs the tag matcher singleton.
/// </summary>
public sealed class TestCluster : IDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _directory = new("cluster-test-");
    private readonly List<TestNode> _nodes = [];

    private TestCluster()
    {
    }

    public IReadOnlyList<TestNode> Nodes => _nodes;

    public TestNode this[string name] => _nodes.Single(n => n.Name == name);

    /// <summary>Starts the nodes (the first one alone first) and waits until every node sees all of them up with all their ports.</summary>
    public static async Task<TestCluster> StartAsync(ClusterTiming timing, params (string Name, bool Witness, TestPort[] Ports)[] nodes)
    {
        var cluster = new TestCluster();
        try
        {
            string? seed = null;
            foreach (var (name, witness, ports) in nodes)
            {
                var node = new TestNode(name, witness, ports, seed, cluster._directory.FullName, timing);
                seed ??= node.ClusterAddress;
                cluster._nodes.Add(node);
            }

            var first = cluster._nodes[0];
            first.Start();
            await Eventually.TrueAsync(async () => (await ClusterOf(first)) is { } c && c.GetProperty("joined").GetBoolean(), StartTimeout,
                () => $"{first} did not start the cluster:\n{first.Output}", Poll);
            foreach (var node in cluster._nodes.Skip(1))
            {
                node.Start();
            }

            await cluster.WaitConvergedAsync(cluster._nodes, StartTimeout);
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Waits until each of <paramref name="up"/> sees exactly those nodes as up, reachable members, and lists all of
    /// their ports (each with its node) in /api/ports.
    /// </summary>
    public async Task WaitConvergedAsync(IReadOnlyCollection<TestNode> up, TimeSpan timeout)
    {
        var names = up.Select(n => n.Name).Order(StringComparer.Ordinal).ToList();
        var ports = up.SelectMany(n => n.PortNames.Select(p => $"{p}@{n.Name}")).Order(StringComparer.Ordinal).ToList();
        foreach (var node in up)
        {
            await Eventually.TrueAsync(async () =>
            {
                var view = await ClusterOf(node);
                if (view is not { } v || !v.GetProperty("joined").GetBoolean())
                {
                    return false;
                }

                var members = v.GetProperty("members").EnumerateArray().ToList();
                var upNames = members.Where(m => m.GetProperty("status").GetString() == "up" && m.GetProperty("reachable").GetBoolean())
                    .Select(m => m.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToList();
                return upNames.SequenceEqual(names) && members.Count == names.Count && (await PortsOf(node)).SequenceEqual(ports);
            }, timeout, () => $"{node} does not see [{string.Join(", ", names)}] up with ports [{string.Join(", ", ports)}]:\n" +
                $"{TryGet(node, "/api/cluster")}\n{TryGet(node, "/api/ports")}\n{node.Output}", Poll);
        }
    }

    /// <summary>GET /api/cluster of a node, or null while its API does not answer.</summary>
    public static async Task<JsonElement?> ClusterOf(TestNode node)
    {
        try
        {
            var reply = await node.Api.GetAsync("/api/cluster");
            return reply.Status == System.Net.HttpStatusCode.OK ? reply.Json : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>"port@node" of every port a node's /api/ports lists, sorted; empty while its API does not answer.</summary>
    public static async Task<IReadOnlyList<string>> PortsOf(TestNode node)
    {
        try
        {
            var reply = await node.Api.GetAsync("/api/ports");
            return reply.Status != System.Net.HttpStatusCode.OK
                ? []
                : [.. reply.Json.EnumerateArray().Select(p => $"{p.GetProperty("name").GetString()}@{p.GetProperty("node").GetString()}")
                    .Order(StringComparer.Ordinal)];
        }
        catch (HttpRequestException)
        {
            return [];
        }
    }

    /// <summary>The cluster tests' poll of HTTP APIs: every 50 ms, not to load three daemons on a small machine.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    private static string TryGet(TestNode node, string path)
    {
        try
        {
            return node.Api.GetAsync(path).GetAwaiter().GetResult().ToString();
        }
        catch (HttpRequestException e)
        {
            return $"{path}: {e.Message}";
        }
    }

    public void Dispose()
    {
        foreach (var node in Enumerable.Reverse(_nodes))
        {
            node.Dispose();
        }

        _directory.Dispose();
    }
}
