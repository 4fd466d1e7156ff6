using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Concentrator.IntegrationTests.Security;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Cluster;

/// <summary>
/// A real network partition (a network namespace and blackhole routes, made by the test): node C alone on one side,
/// node A and a witness on the other. The minority side stops granting new leases, the majority keeps granting and
/// hides C's port, the split brain resolver downs C, C's serial session never notices, and when the network heals
/// C rejoins and grants again.
/// </summary>
public sealed class ClusterPartitionTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(40);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(20) };

    [Fact]
    public async Task The_minority_side_stops_granting_while_its_sessions_carry_on_and_it_rejoins_when_the_network_heals()
    {
        var ns = Track(NetworkNamespace.Create());
        var deviceA = Track(VirtualSerialDevice.CreateTemp("part-a"));
        var deviceC = Track(VirtualSerialDevice.CreateTemp("part-c"));
        var (clusterA, clusterW, clusterC) = (FreeTcpPort.Next(), FreeTcpPort.Next(), FreeTcpPort.Next());
        var (tcpA, tcpC, apiC) = (FreeTcpPort.Next(), FreeTcpPort.Next(), FreeTcpPort.Next());
        var seed = $"{ns.OutsideAddress}:{clusterA}";
        // Off loopback a cluster needs TLS with a pinned CA: each node a certificate of the test's cluster CA.
        var pki = TestPki.Create(Track(new TempDirectory("partition-pki")).FullName);
        string Cluster(string name, string address, int port)
        {
            var (pfx, password) = pki.ClusterNode(name, "ca");
            return $$"""
                concentrator.cluster {
                  node-name = "{{name}}", bind = "{{address}}:{{port}}", seeds = ["{{seed}}"], down-after = 2s, heartbeat-pause = 2s
                  tls { certificate = "{{pfx}}", password-file = "{{password}}", ca = "{{pki.CaCertificate}}" }
                }
                """;
        }

        string Port(string name, VirtualSerialDevice device, int tcp) =>
            $$"""concentrator.ports.{{name}} { device = "{{device.LinkPath}}", listeners = [{ protocol = raw, port = {{tcp}} }], tags = [lab] }""";
        const string Actions = "concentrator.api.allow-anonymous-actions = on";
        var stores = Track(new TempDirectory("partition-leases"));
        string Store(string node) => $"concentrator.leases.store = \"sqlite:{Path.Combine(stores.FullName, node + ".db")}\"";

        var a = Track(DaemonProcess.Start(string.Join("\n", Cluster("rack-a", ns.OutsideAddress, clusterA), Port("pa", deviceA, tcpA), Actions, Store("a"))));
        var witness = Track(DaemonProcess.Start(string.Join("\n", Cluster("witness", ns.OutsideAddress, clusterW), Actions, Store("w")), "--witness"));
        var c = Track(DaemonProcess.StartInNetworkNamespace(ns.Name,
            string.Join("\n", Cluster("rack-c", ns.InsideAddress, clusterC), Port("pc", deviceC, tcpC), Actions, Store("c"), $"concentrator.api.port = {apiC}")));
        foreach (var node in new[] { a, witness, c })
        {
            node.WaitFor("cluster: node .* is up", Timeout);
        }

        await WaitAsync(async () => (await PortsAsync(a)).Contains("pc"), "A lists C's port");

        // A session on C's port, from inside C's namespace (where its listener is), through socat.
        var session = Track(new NamespaceClient(ns.Spawn("socat", "-", $"TCP:127.0.0.1:{tcpC}")));
        c.WaitFor("session 1 on port pc: .* connected", Timeout);
        AssertBothWays(deviceC, session, "before");

        ns.Partition(cut: true);

        // The minority side (C, one of three) refuses new grants; the majority (A and the witness) keeps granting.
        // (The probe names no real port: a grant before C notices the cut would make the session read-only.)
        await WaitAsync(async () => (await AcquireOnC(ns, apiC, "no-such-port")).Status == 503, "C refuses new leases once cut off");
        Assert.Contains("majority", (await AcquireOnC(ns, apiC, "pc")).Body, StringComparison.Ordinal);
        using (var health = JsonDocument.Parse(ns.Exec("curl", "-s", $"http://127.0.0.1:{apiC}/healthz").Output))
        {
            // Degraded, not unhealthy: its ports still serve (a load balancer keeps sending it clients).
            Assert.Equal("degraded", health.RootElement.GetProperty("checks").GetProperty("cluster").GetProperty("status").GetString());
        }

        await WaitAsync(async () => !(await PortsAsync(a)).Contains("pc"), "A hides C's port");
        var onA = await Http.PostAsJsonAsync(new Uri(a.ApiUrl, "/api/leases"), new { port = "pa", ttl = "1m", holder = "majority-job" });
        Assert.Equal(HttpStatusCode.Created, onA.StatusCode);

        // The resolver downs C (keep-majority); only C's cluster part restarts: the serial session is untouched.
        c.WaitFor("cluster: node rack-c left the cluster", Timeout);
        AssertBothWays(deviceC, session, "during");

        ns.Partition(cut: false);
        await WaitAsync(async () => (await PortsAsync(a)).Contains("pc"), "C rejoins and A lists its port again");
        AssertBothWays(deviceC, session, "after");
        await WaitAsync(async () => (await AcquireOnC(ns, apiC, "pc")).Status == 201, "C grants again once back in the majority");

        // One holder per port across both sides, each the first grant of its port: nothing was granted twice.
        using var leases = JsonDocument.Parse(await Http.GetStringAsync(new Uri(a.ApiUrl, "/api/leases")));
        var held = leases.RootElement.GetProperty("leases").EnumerateArray()
            .Select(l => (Port: l.GetProperty("port").GetString(), Holder: l.GetProperty("holder").GetString(), Epoch: l.GetProperty("epoch").GetInt64()))
            .OrderBy(l => l.Port, StringComparer.Ordinal).ToList();
        Assert.Equal([("pa", "majority-job", 1L), ("pc", "minority-job", 1L)], held);
        var trails = new[] { "a", "c" }.SelectMany(n => LeaseAuditTrail.Read(Path.Combine(stores.FullName, n + ".db"))).ToList();
        Assert.Equal(2, LeaseAuditTrail.Grants(trails));
        Assert.Empty(LeaseAuditTrail.DoubleGrants(trails)); // from the owners' own audit trails
        Assert.False(c.HasExited, c.Output);
    }

    private static void AssertBothWays(VirtualSerialDevice device, NamespaceClient client, string word)
    {
        device.Write($"device-{word}\n");
        Assert.Equal($"device-{word}\n", client.ReadUntil($"device-{word}\n", Timeout));
        client.Send($"client-{word}\n");
        Assert.Equal($"client-{word}\n", device.ReadUntil($"client-{word}\n", Timeout));
    }

    private static async Task<string> PortsAsync(DaemonProcess node)
    {
        try
        {
            return await Http.GetStringAsync(new Uri(node.ApiUrl, "/api/ports"));
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
    }

    /// <summary>POST /api/leases on C's API, which listens on C's own loopback: curl inside the namespace.</summary>
    private static Task<(int Status, string Body)> AcquireOnC(NetworkNamespace ns, int api, string port) => Task.Run(() =>
    {
        var body = JsonSerializer.Serialize(new { port, ttl = "1m", holder = "minority-job" });
        var (_, output) = ns.Exec("curl", "-s", "-o", "-", "-w", "\n%{http_code}", "-H", "content-type: application/json", "-d", body,
            $"http://127.0.0.1:{api}/api/leases");
        var newline = output.LastIndexOf('\n');
        return (newline < 0 ? 0 : int.TryParse(output[(newline + 1)..], out var status) ? status : 0, newline < 0 ? output : output[..newline]);
    });

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Timeout)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"not within {Timeout.TotalSeconds:0} s: {what}");
    }

    /// <summary>A client process (socat) in the namespace: its stdin goes to the port, the port's bytes come out of its stdout.</summary>
    private sealed class NamespaceClient : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _received = new();
        private readonly Lock _gate = new();
        private readonly Task _reader;

        public NamespaceClient(Process process)
        {
            _process = process;
            _reader = Task.Run(async () =>
            {
                var buffer = new byte[4096];
                int n;
                while ((n = await _process.StandardOutput.BaseStream.ReadAsync(buffer)) > 0)
                {
                    lock (_gate)
                    {
                        _received.Append(Encoding.Latin1.GetString(buffer, 0, n));
                    }
                }
            });
        }

        public void Send(string text)
        {
            _process.StandardInput.BaseStream.Write(Encoding.Latin1.GetBytes(text));
            _process.StandardInput.BaseStream.Flush();
        }

        /// <summary>Everything received up to and including <paramref name="expected"/> (which is then consumed).</summary>
        public string ReadUntil(string expected, TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < timeout)
            {
                lock (_gate)
                {
                    var text = _received.ToString();
                    var at = text.IndexOf(expected, StringComparison.Ordinal);
                    if (at >= 0)
                    {
                        _received.Remove(0, at + expected.Length);
                        return text[..(at + expected.Length)]; // anything before it fails the caller's comparison
                    }
                }

                Thread.Sleep(10);
            }

            throw new TimeoutException($"did not receive '{expected}'");
        }

        public void Dispose()
        {
            ChildProcesses.KillAndDispose(_process);
            _reader.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
