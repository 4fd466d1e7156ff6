using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Configuration.Hocon;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Security;

namespace Concentrator.Cluster.Configuration;

/// <summary>
/// <c>concentrator.cluster</c>, read by the cluster feature itself with the shared <see cref="ConfigValues"/>: absent,
/// a single host. A witness (the section's <c>witness = on</c>, or <c>serve --witness</c>) serves no ports and only
/// votes; off loopback, membership needs mutual TLS against a pinned cluster CA.
/// </summary>
/// <param name="serveWitness"><c>serve --witness</c>: this node is a witness whatever the section says.</param>
public sealed class ClusterConfigSection(bool serveWitness = false) : IConfigSection
{
    public const string SectionKey = "cluster";

    private static readonly string[] ClusterKeys = ["node-name", "bind", "seeds", "witness", "down-after", "heartbeat-pause", "tls"];
    private static readonly string[] ClusterTlsKeys = ["certificate", "password-file", "ca", "suppress-validation"];

    public string Key => SectionKey;

    /// <summary>The section's settings, or null when it is absent (a single host).</summary>
    public object? Read(ConfigValues values, HoconValue? value)
    {
        ArgumentNullException.ThrowIfNull(values);
        var cluster = ReadCluster(values, value);
        if (serveWitness && cluster is not null)
        {
            cluster = cluster with { Witness = true };
        }

        return cluster;
    }

    /// <summary>A witness serves no ports: a node told to be one without a cluster, or with ports, is a mistake.</summary>
    public void Check(ConcentratorSettings settings, ConfigValues values)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(values);
        var cluster = settings.ClusterSettings();
        if (serveWitness && cluster is null)
        {
            values.Error(null, "concentrator.cluster", null, "serve --witness needs a cluster { node-name, bind, seeds } to vote in");
        }

        if (cluster is { Witness: true } && settings.Ports.Count > 0)
        {
            values.Error(null, "concentrator.cluster.witness", "on", $"a witness serves no ports, but {settings.Ports.Count} are configured");
        }
    }

    /// <summary>A witness (or a node told to be one) may have no ports at all.</summary>
    public bool ServesNoPorts(object? settings) => serveWitness || settings is ClusterSettings { Witness: true };

    /// <summary>cluster { node-name, bind = "host:port", seeds = ["host:port", ...], witness, down-after, heartbeat-pause, tls { ... } }.</summary>
    private static ClusterSettings? ReadCluster(ConfigValues values, HoconValue? value)
    {
        const string where = "concentrator.cluster";
        if (value is null)
        {
            return null;
        }

        if (!value.IsObject())
        {
            values.Error(null, where, ConfigValues.Show(value), "must be an object { node-name = \"rack-a\", bind = \"127.0.0.1:4053\", seeds = [...] }");
            return null;
        }

        var o = value.GetObject();
        values.CheckKeys(o, ClusterKeys, null, where + ".");
        HoconValue? Get(string key) => o.Items.GetValueOrDefault(key);
        var name = Get("node-name") is { } n ? ConfigValues.Show(n) : Dns.GetHostName();
        if (string.IsNullOrWhiteSpace(name) || name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '"'))
        {
            values.Error(null, where + ".node-name", name, "expected a short name without spaces, quotes or slashes, e.g. rack-a");
        }

        var bind = Get("bind") is { } b
            ? HostPort(values, where + ".bind", ConfigValues.Show(b), mustBeDialable: true)
            : new DnsEndPoint("127.0.0.1", ClusterSettings.DefaultPort);
        var seeds = new List<DnsEndPoint>();
        if (Get("seeds") is { } seedsValue && !ConfigValues.IsEmptyList(seedsValue))
        {
            if (!seedsValue.IsArray())
            {
                values.Error(null, where + ".seeds", ConfigValues.Show(seedsValue), "expected a list of host:port, e.g. [\"10.0.0.5:4053\", \"10.0.0.6:4053\"]");
            }
            else
            {
                seeds.AddRange(seedsValue.GetArray().Select(s => HostPort(values, where + ".seeds", ConfigValues.Show(s), mustBeDialable: true)).OfType<DnsEndPoint>());
            }
        }

        var witness = values.Bool(null, where + ".witness", Get("witness"), false);
        var downAfter = values.Duration(null, where + ".down-after", Get("down-after"), ClusterSettings.DefaultDownAfter);
        var pause = values.Duration(null, where + ".heartbeat-pause", Get("heartbeat-pause"), ClusterSettings.DefaultHeartbeatPause);
        if (downAfter < TimeSpan.FromSeconds(1))
        {
            values.Error(null, where + ".down-after", ConfigValues.Show(Get("down-after")!), "must be at least 1s (a shorter one downs nodes for a hiccup)");
        }

        if (pause < TimeSpan.FromSeconds(1))
        {
            values.Error(null, where + ".heartbeat-pause", ConfigValues.Show(Get("heartbeat-pause")!), "must be at least 1s (heartbeats are sent every second)");
        }

        var tls = Get("tls") is { } tlsValue ? ReadClusterTls(values, where + ".tls", tlsValue) : null;
        if (bind is not null && !HttpOrigin.IsLoopbackHost(bind.Host))
        {
            RequirePinnedCa(values, where, bind, Get("tls") is not null, tls);
        }

        return bind is null ? null : new ClusterSettings(name, bind, seeds, witness, downAfter, pause, tls);
    }

    /// <summary>
    /// Off loopback, membership is an authentication: whoever completes the TLS handshake joins, so peers must
    /// present a certificate from the pinned cluster CA (not any the system trusts, not any at all).
    /// </summary>
    private static void RequirePinnedCa(ConfigValues values, string where, DnsEndPoint bind, bool hasTls, ClusterTlsSettings? tls)
    {
        var address = $"{bind.Host}:{bind.Port}";
        const string Example = "tls { certificate = \"node.pfx\", password-file = \"node.pass\", ca = \"cluster-ca.pem\" }";
        if (!hasTls)
        {
            values.Error(null, where + ".bind", address, $"off loopback the cluster port lets in whoever reaches it: add {Example}");
        }
        else if (tls is { SuppressValidation: true })
        {
            values.Error(null, where + ".tls.suppress-validation", "on",
                $"accepts any certificate, so anyone who reaches {address} joins: refused off loopback; pin the cluster CA with ca = \"cluster-ca.pem\"");
        }
        else if (tls is { CaFile: null })
        {
            values.Error(null, where + ".tls.ca", null,
                $"missing: off loopback ({address}) every peer must chain to a pinned cluster CA, not to any CA the system trusts: ca = \"cluster-ca.pem\"");
        }
    }

    private static ClusterTlsSettings? ReadClusterTls(ConfigValues values, string where, HoconValue value)
    {
        if (!value.IsObject())
        {
            values.Error(null, where, ConfigValues.Show(value), "must be an object { certificate = \"node.pfx\", password-file = \"node.pass\" }");
            return null;
        }

        var o = value.GetObject();
        values.CheckKeys(o, ClusterTlsKeys, null, where + ".");
        if (o.Items.GetValueOrDefault("certificate") is not { } certificateValue)
        {
            values.Error(null, where + ".certificate", null, "missing: this node's certificate and private key as a PKCS#12 file (.pfx)");
            return null;
        }

        var certificate = values.FullPath(ConfigValues.Show(certificateValue));
        var password = "";
        if (o.Items.GetValueOrDefault("password-file") is { } passwordValue)
        {
            var file = values.FullPath(ConfigValues.Show(passwordValue));
            try
            {
                if (!OperatingSystem.IsWindows() && File.Exists(file) &&
                    (File.GetUnixFileMode(file) & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.GroupWrite)) != 0)
                {
                    values.Error(null, where + ".password-file", file,
                        $"mode {Convert.ToString((int)File.GetUnixFileMode(file), 8)} lets other users read or change it: chmod 600 (or 640) it");
                    return null;
                }

                password = File.ReadAllText(file).TrimEnd('\r', '\n');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                values.Error(null, where + ".password-file", file, $"cannot read the file: {e.Message}");
                return null;
            }
        }

        if (!File.Exists(certificate))
        {
            values.Error(null, where + ".certificate", certificate, "no such file");
            return null;
        }

        if (!OperatingSystem.IsWindows() &&
            (File.GetUnixFileMode(certificate) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            values.Error(null, where + ".certificate", certificate,
                $"the file holds a private key and is readable by group or others; run chmod 600 {certificate}");
            return null;
        }

        try
        {
            using var loaded = X509CertificateLoader.LoadPkcs12FromFile(certificate, password);
            if (!loaded.HasPrivateKey)
            {
                values.Error(null, where + ".certificate", certificate, "the file has no private key (expected PKCS#12 with the node's key)");
                return null;
            }
        }
        catch (CryptographicException e)
        {
            values.Error(null, where + ".certificate", certificate, $"not a usable PKCS#12 file or wrong password: {e.Message}");
            return null;
        }

        var suppress = values.Bool(null, where + ".suppress-validation", o.Items.GetValueOrDefault("suppress-validation"), false);
        string? caFile = null;
        X509Certificate2Collection cas = [];
        if (o.Items.GetValueOrDefault("ca") is { } caValue)
        {
            caFile = values.FullPath(ConfigValues.Show(caValue));
            if (TlsMaterialLoader.ReadCertificates(caFile, where + ".ca", (key, file, problem) => values.Error(null, key, file, problem)) is not { } read)
            {
                return null;
            }

            cas = read;
            if (suppress)
            {
                values.Error(null, where + ".suppress-validation", "on", $"contradicts ca = \"{caFile}\": the pinned CA is checked only when validation is on");
                return null;
            }
        }

        return new ClusterTlsSettings(certificate, password, suppress, caFile, cas);
    }

    /// <summary>"host:port" other nodes can dial: a wildcard address would be advertised to them as is.</summary>
    private static DnsEndPoint? HostPort(ConfigValues values, string key, string text, bool mustBeDialable)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
        {
            values.Error(null, key, text, "expected host:port, e.g. 127.0.0.1:4053");
            return null;
        }

        var host = text[..colon].Trim('[', ']');
        if (mustBeDialable && host is "0.0.0.0" or "::" or "*")
        {
            values.Error(null, key, text, "other nodes dial this address: give this host's own address (e.g. 10.0.0.5:4053), not a wildcard");
            return null;
        }

        return new DnsEndPoint(host, port);
    }
}

/// <summary>The cluster's settings out of the whole config.</summary>
public static class ClusterSettingsAccess
{
    /// <summary>What <c>concentrator.cluster</c> says, or null for a single host.</summary>
    public static ClusterSettings? ClusterSettings(this ConcentratorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Section<ClusterSettings>(ClusterConfigSection.SectionKey);
    }
}
