using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Configuration.Hocon;
using Concentrator.Ports.Security;

namespace Concentrator.Ports.Configuration;

public static partial class ConfigLoader
{
    private static readonly string[] ClusterKeys = ["node-name", "bind", "seeds", "witness", "down-after", "heartbeat-pause", "tls"];
    private static readonly string[] ClusterTlsKeys = ["certificate", "password-file", "ca", "suppress-validation"];

    private sealed partial class Reader
    {
        /// <summary>cluster { node-name, bind = "host:port", seeds = ["host:port", ...], witness, down-after, heartbeat-pause, tls { ... } }.</summary>
        private ClusterSettings? ReadCluster(HoconValue? value)
        {
            const string where = "concentrator.cluster";
            if (value is null)
            {
                return null;
            }

            if (!value.IsObject())
            {
                Error(null, where, Show(value), "must be an object { node-name = \"rack-a\", bind = \"127.0.0.1:4053\", seeds = [...] }");
                return null;
            }

            var o = value.GetObject();
            CheckKeys(o, ClusterKeys, null, where + ".");
            HoconValue? Get(string key) => o.Items.GetValueOrDefault(key);
            var name = Get("node-name") is { } n ? Show(n) : Dns.GetHostName();
            if (string.IsNullOrWhiteSpace(name) || name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '"'))
            {
                Error(null, where + ".node-name", name, "expected a short name without spaces, quotes or slashes, e.g. rack-a");
            }

            var bind = Get("bind") is { } b
                ? HostPort(where + ".bind", Show(b), mustBeDialable: true)
                : new DnsEndPoint("127.0.0.1", ClusterSettings.DefaultPort);
            var seeds = new List<DnsEndPoint>();
            if (Get("seeds") is { } seedsValue && !IsEmptyList(seedsValue))
            {
                if (!seedsValue.IsArray())
                {
                    Error(null, where + ".seeds", Show(seedsValue), "expected a list of host:port, e.g. [\"10.0.0.5:4053\", \"10.0.0.6:4053\"]");
                }
                else
                {
                    seeds.AddRange(seedsValue.GetArray().Select(s => HostPort(where + ".seeds", Show(s), mustBeDialable: true)).OfType<DnsEndPoint>());
                }
            }

            var witness = Bool(null, where + ".witness", Get("witness"), false);
            var downAfter = Duration(null, where + ".down-after", Get("down-after"), ClusterSettings.DefaultDownAfter);
            var pause = Duration(null, where + ".heartbeat-pause", Get("heartbeat-pause"), ClusterSettings.DefaultHeartbeatPause);
            if (downAfter < TimeSpan.FromSeconds(1))
            {
                Error(null, where + ".down-after", Show(Get("down-after")!), "must be at least 1s (a shorter one downs nodes for a hiccup)");
            }

            if (pause < TimeSpan.FromSeconds(1))
            {
                Error(null, where + ".heartbeat-pause", Show(Get("heartbeat-pause")!), "must be at least 1s (heartbeats are sent every second)");
            }

            var tls = Get("tls") is { } tlsValue ? ReadClusterTls(where + ".tls", tlsValue) : null;
            if (bind is not null && !HttpOrigin.IsLoopbackHost(bind.Host))
            {
                RequirePinnedCa(where, bind, Get("tls") is not null, tls);
            }

            return bind is null ? null : new ClusterSettings(name, bind, seeds, witness, downAfter, pause, tls);
        }

        /// <summary>
        /// Off loopback, membership is an authentication: whoever completes the TLS handshake joins, so peers must
        /// present a certificate from the pinned cluster CA (not any the system trusts, not any at all).
        /// </summary>
        private void RequirePinnedCa(string where, DnsEndPoint bind, bool hasTls, ClusterTlsSettings? tls)
        {
            var address = $"{bind.Host}:{bind.Port}";
            const string Example = "tls { certificate = \"node.pfx\", password-file = \"node.pass\", ca = \"cluster-ca.pem\" }";
            if (!hasTls)
            {
                Error(null, where + ".bind", address, $"off loopback the cluster port lets in whoever reaches it: add {Example}");
            }
            else if (tls is { SuppressValidation: true })
            {
                Error(null, where + ".tls.suppress-validation", "on",
                    $"accepts any certificate, so anyone who reaches {address} joins: refused off loopback; pin the cluster CA with ca = \"cluster-ca.pem\"");
            }
            else if (tls is { CaFile: null })
            {
                Error(null, where + ".tls.ca", null,
                    $"missing: off loopback ({address}) every peer must chain to a pinned cluster CA, not to any CA the system trusts: ca = \"cluster-ca.pem\"");
            }
        }

        private ClusterTlsSettings? ReadClusterTls(string where, HoconValue value)
        {
            if (!value.IsObject())
            {
                Error(null, where, Show(value), "must be an object { certificate = \"node.pfx\", password-file = \"node.pass\" }");
                return null;
            }

            var o = value.GetObject();
            CheckKeys(o, ClusterTlsKeys, null, where + ".");
            if (o.Items.GetValueOrDefault("certificate") is not { } certificateValue)
            {
                Error(null, where + ".certificate", null, "missing: this node's certificate and private key as a PKCS#12 file (.pfx)");
                return null;
            }

            var certificate = FullPath(Show(certificateValue));
            var password = "";
            if (o.Items.GetValueOrDefault("password-file") is { } passwordValue)
            {
                var file = FullPath(Show(passwordValue));
                try
                {
                    if (!OperatingSystem.IsWindows() && File.Exists(file) &&
                        (File.GetUnixFileMode(file) & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.GroupWrite)) != 0)
                    {
                        Error(null, where + ".password-file", file,
                            $"mode {Convert.ToString((int)File.GetUnixFileMode(file), 8)} lets other users read or change it: chmod 600 (or 640) it");
                        return null;
                    }

                    password = File.ReadAllText(file).TrimEnd('\r', '\n');
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Error(null, where + ".password-file", file, $"cannot read the file: {e.Message}");
                    return null;
                }
            }

            if (!File.Exists(certificate))
            {
                Error(null, where + ".certificate", certificate, "no such file");
                return null;
            }

            if (!OperatingSystem.IsWindows() &&
                (File.GetUnixFileMode(certificate) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            {
                Error(null, where + ".certificate", certificate,
                    $"the file holds a private key and is readable by group or others; run chmod 600 {certificate}");
                return null;
            }

            try
            {
                using var loaded = X509CertificateLoader.LoadPkcs12FromFile(certificate, password);
                if (!loaded.HasPrivateKey)
                {
                    Error(null, where + ".certificate", certificate, "the file has no private key (expected PKCS#12 with the node's key)");
                    return null;
                }
            }
            catch (CryptographicException e)
            {
                Error(null, where + ".certificate", certificate, $"not a usable PKCS#12 file or wrong password: {e.Message}");
                return null;
            }

            var suppress = Bool(null, where + ".suppress-validation", o.Items.GetValueOrDefault("suppress-validation"), false);
            string? caFile = null;
            X509Certificate2Collection cas = [];
            if (o.Items.GetValueOrDefault("ca") is { } caValue)
            {
                caFile = FullPath(Show(caValue));
                if (TlsMaterialLoader.ReadCertificates(caFile, where + ".ca", (key, file, problem) => Error(null, key, file, problem)) is not { } read)
                {
                    return null;
                }

                cas = read;
                if (suppress)
                {
                    Error(null, where + ".suppress-validation", "on", $"contradicts ca = \"{caFile}\": the pinned CA is checked only when validation is on");
                    return null;
                }
            }

            return new ClusterTlsSettings(certificate, password, suppress, caFile, cas);
        }

        /// <summary>"host:port" other nodes can dial: a wildcard address would be advertised to them as is.</summary>
        private DnsEndPoint? HostPort(string key, string text, bool mustBeDialable)
        {
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
            {
                Error(null, key, text, "expected host:port, e.g. 127.0.0.1:4053");
                return null;
            }

            var host = text[..colon].Trim('[', ']');
            if (mustBeDialable && host is "0.0.0.0" or "::" or "*")
            {
                Error(null, key, text, "other nodes dial this address: give this host's own address (e.g. 10.0.0.5:4053), not a wildcard");
                return null;
            }

            return new DnsEndPoint(host, port);
        }
    }
}
