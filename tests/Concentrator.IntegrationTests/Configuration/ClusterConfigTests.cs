using System.Net;
using Concentrator.Cluster.Configuration;
using Concentrator.Hosting;
using Concentrator.Ports.Configuration;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Configuration;

/// <summary>concentrator.cluster { ... }: read by the cluster itself, defaulted and validated like every other section; absent = a single host.</summary>
public sealed class ClusterConfigTests
{
    private const string Port = """concentrator.ports.p { device = "sim:echo", listeners = [ { port = 7001 } ] }""";

    private static ConfigResult Load(string cluster, string ports = Port, bool witness = false) =>
        ConfigLoader.Load(ports + "\n" + cluster, "test.conf", "/etc/concentrator", FeatureSections.For(witness));

    [Fact]
    public void Without_the_section_the_daemon_is_a_single_host()
    {
        Assert.Null(Load("").Settings!.ClusterSettings());
    }

    [Fact]
    public void Reads_every_key()
    {
        var result = Load("""
            concentrator.cluster {
              node-name = "rack-a", bind = "127.0.0.1:4053", seeds = ["127.0.0.1:4053", "rack-b.lab:4053"],
              down-after = 20s, heartbeat-pause = 5s
            }
            """);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var cluster = result.Settings!.ClusterSettings()!;
        Assert.Equal("rack-a", cluster.NodeName);
        Assert.Equal(new DnsEndPoint("127.0.0.1", 4053), cluster.Bind);
        Assert.Equal([new DnsEndPoint("127.0.0.1", 4053), new DnsEndPoint("rack-b.lab", 4053)], cluster.Seeds);
        Assert.Equal(TimeSpan.FromSeconds(20), cluster.DownAfter);
        Assert.Equal(TimeSpan.FromSeconds(5), cluster.HeartbeatPause);
        Assert.False(cluster.Witness);
        Assert.Null(cluster.Tls);
    }

    [Fact]
    public void Defaults_are_loopback_4053_no_seeds_and_the_host_name()
    {
        var cluster = Load("concentrator.cluster { }").Settings!.ClusterSettings()!;
        Assert.Equal(new DnsEndPoint("127.0.0.1", ClusterSettings.DefaultPort), cluster.Bind);
        Assert.Empty(cluster.Seeds);
        Assert.Equal(Dns.GetHostName(), cluster.NodeName);
        Assert.Equal(ClusterSettings.DefaultDownAfter, cluster.DownAfter);
    }

    [Theory]
    [InlineData("concentrator.cluster.bind = \"0.0.0.0:4053\"", "concentrator.cluster.bind", "0.0.0.0:4053")]
    [InlineData("concentrator.cluster.bind = \"127.0.0.1\"", "concentrator.cluster.bind", "127.0.0.1")]
    [InlineData("concentrator.cluster.bind = \"127.0.0.1:70000\"", "concentrator.cluster.bind", "127.0.0.1:70000")]
    [InlineData("concentrator.cluster.seeds = [\"nowhere\"]", "concentrator.cluster.seeds", "nowhere")]
    [InlineData("concentrator.cluster.seeds = \"10.0.0.5:4053\"", "concentrator.cluster.seeds", "10.0.0.5:4053")]
    [InlineData("concentrator.cluster.node-name = \"rack a\"", "concentrator.cluster.node-name", "rack a")]
    [InlineData("concentrator.cluster.down-after = 500ms", "concentrator.cluster.down-after", "500ms")]
    [InlineData("concentrator.cluster.heartbeat-pause = soon", "concentrator.cluster.heartbeat-pause", "soon")]
    [InlineData("concentrator.cluster.witnes = on", "concentrator.cluster.witnes", "on")]
    [InlineData("concentrator.cluster.tls { certificate = \"/nonexistent/node.pfx\" }", "concentrator.cluster.tls.certificate", "/nonexistent/node.pfx")]
    [InlineData("concentrator.cluster = 4053", "concentrator.cluster", "4053")]
    [InlineData("concentrator.cluster.bind = \"10.0.0.5:4053\"", "concentrator.cluster.bind", "10.0.0.5:4053")] // off loopback: TLS needed
    [InlineData("concentrator.cluster.bind = \"rack-a.lab:4053\"", "concentrator.cluster.bind", "rack-a.lab:4053")]
    public void Problems_name_the_key_and_value(string cluster, string key, string value)
    {
        var result = Load(cluster);
        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.Equal(key, error.Key);
        Assert.Equal(value, error.Value);
        Assert.Equal("test.conf", error.File);
    }

    [Theory]
    [InlineData("localhost:4053")]
    [InlineData("127.0.0.2:4053")]
    [InlineData("[::1]:4053")]
    public void A_loopback_cluster_needs_no_tls(string bind)
    {
        var result = Load($"concentrator.cluster.bind = \"{bind}\"");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Null(result.Settings!.ClusterSettings()!.Tls);
    }

    [Fact]
    public void A_witness_serves_no_ports_and_needs_a_cluster()
    {
        var witness = Load("concentrator.cluster { node-name = w, witness = on }", ports: "");
        Assert.True(witness.IsValid, string.Join("\n", witness.Errors));
        Assert.Empty(witness.Settings!.Ports);
        Assert.True(witness.Settings.ClusterSettings()!.Witness);

        Assert.True(Load("concentrator.cluster { node-name = w }", ports: "", witness: true).Settings!.ClusterSettings()!.Witness); // serve --witness
        Assert.Contains("serves no ports", Load("concentrator.cluster.witness = on").Errors.Single().Problem, StringComparison.Ordinal);
        Assert.Contains("needs a cluster", Load("", witness: true).Errors.Single().Problem, StringComparison.Ordinal);
        Assert.Contains("no ports configured", Load("concentrator.cluster { }", ports: "").Errors.Single().Problem, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes
    public void Tls_takes_a_pkcs12_file_with_its_password_and_refuses_one_others_can_read()
    {
        using var dir = new TempDirectory("cluster-tls");
        var (pfx, pass) = SelfSignedNode(dir.FullName);
        var tls = $$"""concentrator.cluster.tls { certificate = "{{pfx}}", password-file = "{{pass}}" }""";

        var result = Load(tls);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var read = result.Settings!.ClusterSettings()!.Tls!;
        Assert.Equal(pfx, read.Certificate);
        Assert.Equal("s3cret", read.Password);
        Assert.DoesNotContain("s3cret", read.ToString(), StringComparison.Ordinal);

        File.WriteAllText(pass, "wrong\n");
        Assert.Contains("wrong password", Load(tls).Errors.Single().Problem, StringComparison.Ordinal);

        File.WriteAllText(pass, "s3cret\n");
        File.SetUnixFileMode(pfx, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        Assert.Contains("chmod 600", Load(tls).Errors.Single().Problem, StringComparison.Ordinal);

        // The password file is held to the same: nobody else may read it, its group may not change it.
        File.SetUnixFileMode(pfx, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(pass, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var error = Load(tls).Errors.Single();
        Assert.Equal("concentrator.cluster.tls.password-file", error.Key);
        Assert.Contains("mode 644", error.Problem, StringComparison.Ordinal);
        File.SetUnixFileMode(pass, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        Assert.True(Load(tls).IsValid); // 0640: a group of readers is fine
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes
    public void Off_loopback_a_cluster_needs_tls_with_a_pinned_ca_and_never_suppressed_validation()
    {
        using var dir = new TempDirectory("cluster-ca");
        var (pfx, pass) = SelfSignedNode(dir.FullName);
        var ca = Path.Combine(dir.FullName, "cert.pem"); // a self-signed certificate is its own CA
        var garbage = Path.Combine(dir.FullName, "garbage.pem");
        File.WriteAllText(garbage, "not a certificate\n");
        string Cluster(string bind, string tls) =>
            $$"""concentrator.cluster { bind = "{{bind}}", tls { certificate = "{{pfx}}", password-file = "{{pass}}"{{tls}} } }""";
        ConfigError Single(string cluster)
        {
            var result = Load(cluster);
            Assert.False(result.IsValid);
            var error = Assert.Single(result.Errors);
            Assert.Equal("test.conf", error.File);
            return error;
        }

        // Pinned off loopback and on it: valid, the CA is loaded at config time.
        foreach (var bind in new[] { "10.0.0.5:4053", "127.0.0.1:4053" })
        {
            var result = Load(Cluster(bind, $", ca = \"{ca}\""));
            Assert.True(result.IsValid, string.Join("\n", result.Errors));
            var pinned = result.Settings!.ClusterSettings()!.Tls!;
            Assert.Equal(ca, pinned.CaFile);
            Assert.Single(pinned.Cas);
            Assert.Equal(pinned, Load(Cluster(bind, $", ca = \"{ca}\"")).Settings!.ClusterSettings()!.Tls); // a reload sees no change
        }

        // TLS without a pinned CA is loopback only (the system trust store would let any publicly issued certificate in).
        Assert.True(Load(Cluster("127.0.0.1:4053", "")).IsValid);
        var error = Single(Cluster("10.0.0.5:4053", ""));
        Assert.Equal(("concentrator.cluster.tls.ca", (string?)null), (error.Key, error.Value));
        Assert.Contains("pinned cluster CA", error.Problem, StringComparison.Ordinal);

        // suppress-validation: only on loopback and never with ca.
        Assert.True(Load(Cluster("127.0.0.1:4053", ", suppress-validation = on")).IsValid);
        error = Single(Cluster("10.0.0.5:4053", ", suppress-validation = on"));
        Assert.Equal(("concentrator.cluster.tls.suppress-validation", "on"), (error.Key, error.Value));
        Assert.Contains("refused off loopback", error.Problem, StringComparison.Ordinal);
        error = Single(Cluster("127.0.0.1:4053", $", ca = \"{ca}\", suppress-validation = on"));
        Assert.Equal(("concentrator.cluster.tls.suppress-validation", "on"), (error.Key, error.Value));

        // A ca file that is missing, not PEM, or has no certificate.
        var missing = Path.Combine(dir.FullName, "missing.pem");
        error = Single(Cluster("10.0.0.5:4053", $", ca = \"{missing}\""));
        Assert.Equal(("concentrator.cluster.tls.ca", missing), (error.Key, error.Value));
        Assert.Contains("cannot read the file", error.Problem, StringComparison.Ordinal);
        error = Single(Cluster("10.0.0.5:4053", $", ca = \"{garbage}\""));
        Assert.Equal(("concentrator.cluster.tls.ca", garbage), (error.Key, error.Value));
        Assert.Contains("no certificate in the file", error.Problem, StringComparison.Ordinal);
        File.WriteAllText(garbage, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        Assert.Contains("not a PEM certificate", Single(Cluster("10.0.0.5:4053", $", ca = \"{garbage}\"")).Problem, StringComparison.Ordinal);
        Assert.Contains("no certificate in the file", Single(Cluster("10.0.0.5:4053", $", ca = \"{pass}\"")).Problem, StringComparison.Ordinal);
    }

    /// <summary>A self-signed node.pfx (key included, mode 0600) and its password file; cert.pem beside them.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static (string Pfx, string Pass) SelfSignedNode(string directory)
    {
        var pfx = Path.Combine(directory, "node.pfx");
        var pass = Path.Combine(directory, "node.pass");
        File.WriteAllText(pass, "s3cret\n");
        File.SetUnixFileMode(pass, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Openssl(directory, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
            "-days", "1", "-subj", "/CN=rack-a");
        Openssl(directory, "pkcs12", "-export", "-in", "cert.pem", "-inkey", "key.pem", "-out", "node.pfx", "-passout", "pass:s3cret");
        File.SetUnixFileMode(pfx, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return (pfx, pass);
    }

    private static void Openssl(string directory, params string[] args) => ExternalCommand.MustRun("openssl", args, workingDirectory: directory);
}
