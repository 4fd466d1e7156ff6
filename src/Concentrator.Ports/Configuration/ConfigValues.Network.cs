using System.Net;
using Akka.Configuration.Hocon;
using Concentrator.Ports.Security;

namespace Concentrator.Ports.Configuration;

/// <summary>The readers for what listeners and the HTTP entry share: TLS blocks, network lists, bind addresses.</summary>
public partial class ConfigValues
{
    private static readonly string[] TlsKeys = ["certificate", "key", "client-ca", "client-certificate"];

    /// <summary>A <c>tls { certificate, key, client-ca, client-certificate }</c> block, its files loaded and checked.</summary>
    public TlsSettings? ReadTls(string? port, string prefix, HoconValue? value, ListenerAuthentication auth)
    {
        if (value is null)
        {
            return null;
        }

        var where = prefix + "tls";
        if (!value.IsObject())
        {
            Error(port, where, Show(value), "must be an object { certificate = \"server.crt\", key = \"server.key\" }");
            return null;
        }

        var o = value.GetObject();
        CheckKeys(o, TlsKeys, port, where + ".");
        var certificate = o.Items.GetValueOrDefault("certificate")?.GetString();
        var key = o.Items.GetValueOrDefault("key")?.GetString();
        var clientCa = o.Items.GetValueOrDefault("client-ca")?.GetString();
        var mode = Enum(port, where + ".client-certificate", o.Items.GetValueOrDefault("client-certificate"),
            auth == ListenerAuthentication.Certificate ? ClientCertificateMode.Required : ClientCertificateMode.Off,
            ("off", ClientCertificateMode.Off), ("optional", ClientCertificateMode.Optional), ("required", ClientCertificateMode.Required));
        var before = Errors.Count;
        if (string.IsNullOrWhiteSpace(certificate))
        {
            Error(port, where + ".certificate", null, "missing: the server certificate (PEM), e.g. certificate = \"server.crt\"");
        }

        if (string.IsNullOrWhiteSpace(key))
        {
            Error(port, where + ".key", null, "missing: the server's private key (PEM, mode 0600), e.g. key = \"server.key\"");
        }

        if (mode != ClientCertificateMode.Off && string.IsNullOrWhiteSpace(clientCa))
        {
            Error(port, where + ".client-ca", null, $"missing: client-certificate = {mode.ToString().ToLowerInvariant()} needs the CA that signs client certificates");
        }

        if (Errors.Count != before)
        {
            return null;
        }

        return TlsMaterialLoader.Load(FullPath(certificate!), FullPath(key!), string.IsNullOrWhiteSpace(clientCa) ? null : FullPath(clientCa), mode,
            (k, v, problem) => Error(port, $"{where}.{k}", v, problem));
    }

    /// <summary>A list of networks (allow, deny, trusted proxies): "10.0.0.0/8", "2001:db8::/32" or one address.</summary>
    public List<IPNetwork> ReadNetworks(string? port, string key, HoconValue? value)
    {
        var networks = new List<IPNetwork>();
        if (value is null || IsEmptyList(value))
        {
            return networks;
        }

        if (!value.IsArray())
        {
            Error(port, key, Show(value), "expected a list of networks, e.g. [\"10.0.0.0/8\", \"2001:db8::/32\"]");
            return networks;
        }

        foreach (var item in value.GetArray())
        {
            var text = Show(item);
            if (SourceFilter.TryParseNetwork(text, out var network, out var problem))
            {
                networks.Add(network);
            }
            else
            {
                Error(port, key, text, problem!);
            }
        }

        return networks;
    }

    public static bool IsEmptyList(HoconValue value) =>
        value.Values.Any(v => v is HoconArray) &&
        value.Values.All(v => v is HoconArray { Count: 0 } || (v is HoconLiteral literal && string.IsNullOrWhiteSpace(literal.Value)));

    /// <summary>Whether two bind addresses can take the same TCP port (one is a wildcard, or they are the same).</summary>
    public static bool Overlaps(IPAddress a, IPAddress b) =>
        a.Equals(b) || a.Equals(IPAddress.Any) || b.Equals(IPAddress.Any) ||
        a.Equals(IPAddress.IPv6Any) || b.Equals(IPAddress.IPv6Any);
}
