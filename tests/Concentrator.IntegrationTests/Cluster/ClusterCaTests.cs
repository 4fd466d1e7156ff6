using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Remote.Transport.DotNetty;
using Concentrator.Cluster.Leases;
using Concentrator.Cluster.Membership;
using Concentrator.Cluster.Serialization;
using Concentrator.IntegrationTests.Security;
using Concentrator.Ports.Management;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Cluster;

/// <summary>
/// Issue 22, item 1: cluster membership is an authentication. With <c>tls.ca</c> a node takes peers whose certificate
/// chains to the pinned cluster CA and no other, whoever the system trusts: a system with a certificate from another
/// CA (here one the daemon's system trust store holds, as a public CA would be) is refused at the TLS handshake,
/// dialing in or dialed, and the node says who and why. Off loopback the pin is required.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes
public sealed class ClusterCaTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task A_system_with_a_certificate_from_another_ca_gets_nothing_even_when_the_system_trusts_that_ca()
    {
        var (pki, trust) = Pki("cluster-ca-in");
        var (pfx, password) = pki.ClusterNode("rack-a", "ca");
        string Node(string name, int cluster, int tcp, string ca) => $$"""
            concentrator.cluster {
              node-name = "{{name}}", bind = "127.0.0.1:{{cluster}}", seeds = ["127.0.0.1:{{cluster}}"], down-after = 2s
              tls { certificate = "{{pfx}}", password-file = "{{password}}"{{ca}} }
            }
            concentrator.ports.p { device = "sim:echo", listeners = [ { port = {{tcp}}, protocol = raw } ] }
            """;
        int openCluster = FreeTcpPort.Next(), pinnedCluster = FreeTcpPort.Next(), tcp = FreeTcpPort.Next();
        // The control: TLS without a pin (loopback only) leaves the peer check to the system store, which trusts the
        // rogue's CA, so its handshake passes and only the gateway's membership check stops it.
        var open = Track(DaemonProcess.Start(Node("open", openCluster, FreeTcpPort.Next(), ""), trust, null));
        var pinned = Track(DaemonProcess.Start(Node("pinned", pinnedCluster, tcp, $", ca = \"{pki.CaCertificate}\""), trust, null));
        using var rogue = Rogue(pki, "rogue", port: 0);

        open.WaitFor("cluster: node open is up", Timeout);
        var kick = new KickSession("p", 1, Requester.Admin("rogue"));
        await Assert.ThrowsAnyAsync<Exception>(() => Gateway(rogue, openCluster).Ask<object>(kick, TimeSpan.FromSeconds(3)));
        open.WaitFor(@"cluster gateway: dropped KickSession from akka\.ssl\.tcp://rogue@", Timeout);

        pinned.WaitOnline("p");
        pinned.WaitFor("cluster: node pinned is up", Timeout);
        var client = Track(TcpClientSession.Connect(tcp));
        pinned.WaitFor("session 1 on port p: .* connected");

        // Pinned: no answer, and the node names the peer and why it was refused.
        var gateway = Gateway(rogue, pinnedCluster);
        await Assert.ThrowsAnyAsync<Exception>(() => gateway.Ask<object>(kick, TimeSpan.FromSeconds(3)));
        pinned.WaitFor(@"cluster: refused the TLS peer \S+: its certificate 'CN=rogue' \(issuer 'CN=Other CA', thumbprint [0-9A-F]+\) " +
                       $"is not issued by the pinned cluster CA; only certificates from the cluster CA in {Regex.Escape(pki.CaCertificate)} may join", Timeout);
        gateway.Tell(new SendBreakTo("p", TimeSpan.FromSeconds(5), Requester.Admin("rogue")), ActorRefs.NoSender);
        gateway.Tell(new ForceWriteLock("p", 1, Requester.Admin("rogue")), ActorRefs.NoSender);

        // The sentinel: the session the rogue aimed at still echoes, and nothing the rogue sent got past the handshake.
        client.Send("still here");
        Assert.Equal("still here", System.Text.Encoding.ASCII.GetString(client.ReadExactly(10, Timeout)));
        Assert.DoesNotContain("cluster gateway: dropped", pinned.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("by rogue", pinned.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_node_refuses_a_seed_whose_certificate_is_from_another_ca()
    {
        var (pki, trust) = Pki("cluster-ca-out");
        var (pfx, password) = pki.ClusterNode("rack-b", "ca");
        var roguePort = FreeTcpPort.Next();
        using var rogue = Rogue(pki, ClusterConfig.SystemName, roguePort); // named like a node, so it could pass for a seed
        var node = Track(DaemonProcess.Start($$"""
            concentrator.cluster {
              node-name = "rack-b", bind = "127.0.0.1:{{FreeTcpPort.Next()}}", seeds = ["127.0.0.1:{{roguePort}}"]
              tls { certificate = "{{pfx}}", password-file = "{{password}}", ca = "{{pki.CaCertificate}}" }
            }
            concentrator.ports.p { device = "sim:echo", listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
            """, trust, null));

        // The node dials its seed, and the check runs on the dialing side too: the seed's certificate is refused.
        node.WaitFor($@"cluster: refused the TLS peer \S*127\.0\.0\.1:{roguePort}: its certificate 'CN=rogue' .* is not issued by the pinned cluster CA", Timeout);
        Assert.DoesNotContain("cluster: node rack-b is up", node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Cluster_tls_config_errors_name_the_file_key_and_value_and_nothing_starts()
    {
        var (pki, _) = Pki("cluster-ca-config");
        var (pfx, password) = pki.ClusterNode("rack-c", "ca");
        var missing = pki.File("missing-ca.pem");
        var tcp = FreeTcpPort.Next();
        (int Exit, string Output) Serve(string cluster) => DaemonProcess.Run(
            $"concentrator.cluster {{ {cluster} }}\nconcentrator.ports.p {{ device = \"sim:echo\", listeners = [ {{ port = {tcp}, protocol = raw }} ] }}");
        var tls = $"certificate = \"{pfx}\", password-file = \"{password}\"";

        foreach (var (cluster, error) in new[]
        {
            ("bind = \"10.0.0.5:4053\"", "key 'concentrator.cluster.bind' = '10.0.0.5:4053': off loopback the cluster port lets in whoever reaches it"),
            ($"bind = \"rack-c.lab:4053\", tls {{ {tls} }}", "key 'concentrator.cluster.tls.ca': missing: off loopback (rack-c.lab:4053)"),
            ($"bind = \"10.0.0.5:4053\", tls {{ {tls}, suppress-validation = on }}",
                "key 'concentrator.cluster.tls.suppress-validation' = 'on': accepts any certificate, so anyone who reaches 10.0.0.5:4053 joins"),
            ($"bind = \"10.0.0.5:4053\", tls {{ {tls}, ca = \"{missing}\" }}", $"key 'concentrator.cluster.tls.ca' = '{missing}': cannot read the file"),
            ($"tls {{ {tls}, ca = \"{password}\" }}", $"key 'concentrator.cluster.tls.ca' = '{password}': no certificate in the file"),
        })
        {
            var (exit, output) = Serve(cluster);
            Assert.True(exit == 2, $"exit {exit} for {cluster}:\n{output}");
            Assert.Matches(@"config error: \S+\.conf: " + Regex.Escape(error), output);
            Assert.Contains("nothing was started", output, StringComparison.Ordinal);
            Assert.DoesNotContain("listening", output, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// A test PKI, and an environment whose system trust store is the other CA alone: to a daemon started with it,
    /// the rogue's certificate is as good as one a public CA issued.
    /// </summary>
    private (TestPki Pki, Dictionary<string, string> Trust) Pki(string name)
    {
        var dir = Track(new TempDirectory(name)).FullName;
        var pki = TestPki.Create(dir);
        return (pki, new Dictionary<string, string>
        {
            ["SSL_CERT_FILE"] = pki.File("other-ca.crt"),
            ["SSL_CERT_DIR"] = Path.Combine(dir, "no-system-certificates"),
        });
    }

    /// <summary>
    /// An actor system in the test process speaking the cluster's wire format over TLS with a certificate validly
    /// chained to another CA; it accepts any peer certificate itself, so only the node's check can stop it.
    /// </summary>
    private static ActorSystem Rogue(TestPki pki, string name, int port)
    {
        var (pfx, _) = pki.ClusterNode("rogue", "other-ca");
        var certificate = X509CertificateLoader.LoadPkcs12FromFile(pfx, "rogue-pass");
        var config = ConfigurationFactory.ParseString($$"""
            {{ClusterMessages.Hocon()}}
            akka.loglevel = WARNING
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {{port}}, enable-ssl = true, ssl.require-mutual-authentication = on }
            """);
        var setup = BootstrapSetup.Create().WithConfig(config)
            .And(new DotNettySslSetup(certificate, suppressValidation: true, requireMutualAuthentication: true));
        return ActorSystem.Create(name, setup);
    }

    private static ActorSelection Gateway(ActorSystem rogue, int cluster) =>
        rogue.ActorSelection($"{ClusterConfig.AddressOf(tls: true, "127.0.0.1", cluster)}/user/{NodeGateway.Name}");
}
