using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Concentrator.IntegrationTests.Security;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Cluster;

/// <summary>
/// TLS between nodes (Akka.Remote's): two nodes with PKCS#12 certificates from the pinned cluster CA (tls.ca) form a
/// cluster over TLS and route a lease.
/// </summary>
public sealed class ClusterTlsTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(40);

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes
    public async Task Two_nodes_join_over_tls_and_a_lease_asked_of_one_is_granted_by_the_other()
    {
        var dir = Track(new TempDirectory("cluster-tls"));
        var pki = TestPki.Create(dir.FullName);
        var (clusterA, clusterB) = (FreeTcpPort.Next(), FreeTcpPort.Next());
        string Node(string name, int port, string portName)
        {
            var (pfx, password) = pki.ClusterNode(name, "ca");
            return $$"""
                concentrator.cluster {
                  node-name = "{{name}}", bind = "127.0.0.1:{{port}}", seeds = ["127.0.0.1:{{clusterA}}"], down-after = 2s
                  tls { certificate = "{{pfx}}", password-file = "{{password}}", ca = "{{pki.CaCertificate}}" }
                }
                concentrator.ports.{{portName}} { device = "sim:echo", listeners = [{ protocol = raw, port = {{FreeTcpPort.Next()}} }] }
                concentrator.api.allow-anonymous-actions = on
                """;
        }

        var a = Track(DaemonProcess.Start(Node("rack-a", clusterA, "pa")));
        var b = Track(DaemonProcess.Start(Node("rack-b", clusterB, "pb")));
        a.WaitFor("cluster: node rack-a is up", Timeout);
        b.WaitFor("cluster: node rack-b is up", Timeout);
        a.WaitFor(@"akka\.ssl\.tcp://concentrator-cluster@127\.0\.0\.1:" + clusterA, Timeout);
        a.WaitFor("cluster: node rack-a on 127.0.0.1:" + clusterA + " with TLS, peers pinned to the cluster CA in ", Timeout);

        using var http = new HttpClient { Timeout = Timeout };
        var clock = Stopwatch.StartNew();
        HttpResponseMessage granted;
        do
        {
            granted = await http.PostAsJsonAsync(new Uri(a.ApiUrl, "/api/leases"), new { port = "pb", ttl = "1m", holder = "tls-job" });
        }
        while (granted.StatusCode != HttpStatusCode.Created && clock.Elapsed < Timeout && await Task.Delay(200).ContinueWith(_ => true));

        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
        b.WaitFor("port pb: leased to tls-job", Timeout); // the owner granted and enforces it

        // The cluster port speaks TLS and shows the node's certificate.
        var (_, handshake) = Run(dir.FullName, "openssl", "s_client", "-connect", $"127.0.0.1:{clusterA}", "-servername", "127.0.0.1");
        Assert.Contains("CN = rack-a", handshake, StringComparison.Ordinal);
    }

    private static (int ExitCode, string Output) Run(string directory, string file, params string[] args)
    {
        var run = ExternalCommand.Run(file, args, workingDirectory: directory, timeout: TimeSpan.FromSeconds(30));
        return (run.ExitCode, run.Output);
    }
}
