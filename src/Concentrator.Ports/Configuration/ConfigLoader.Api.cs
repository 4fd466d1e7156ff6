using System.Globalization;
using System.Net;
using Akka.Configuration.Hocon;
using Concentrator.Ports.Security;

namespace Concentrator.Ports.Configuration;

/// <summary>
/// <c>concentrator.api</c>: the HTTP entry point (management API and dashboard). Its <c>allow</c>, <c>deny</c> and
/// <c>tls</c> are read by the listeners' own readers, so they take the same syntax and give the same errors.
/// </summary>
public static partial class ConfigLoader
{
    private static readonly string[] ApiKeys =
    [
        "enabled", "bind", "port", "tokens-file", "allow-anonymous-actions", "allow-anonymous-reads", "allow", "deny", "trusted-proxies", "tls",
    ];

    /// <summary>What a listener's tls takes that the API's does not: the API knows its callers by their tokens.</summary>
    private static readonly string[] ClientCertificateKeys = ["client-ca", "client-certificate"];

    private sealed partial class Reader
    {
        private const string ApiPrefix = "concentrator.api.";

        /// <summary>
        /// A bind other machines can reach without a tokens file would hand the consoles to anyone on the network, so
        /// it is an error (with or without tls: HTTPS hides the traffic, not who may send it).
        /// </summary>
        private ApiSettings ReadApi(HoconValue? value)
        {
            var fallback = ApiSettings.Default;
            if (value is null)
            {
                return fallback;
            }

            if (!value.IsObject())
            {
                Error(null, "concentrator.api", Show(value), "must be an object { enabled = on, bind = \"127.0.0.1\", port = 7900 }");
                return fallback;
            }

            var o = value.GetObject();
            CheckKeys(o, ApiKeys, null, ApiPrefix);
            HoconValue? Get(string key) => o.Items.TryGetValue(key, out var v) ? v : null;
            var enabled = Bool(null, ApiPrefix + "enabled", Get("enabled"), fallback.Enabled);
            var bind = Address(null, ApiPrefix + "bind", Get("bind"));
            var port = Int(null, ApiPrefix + "port", Get("port"), fallback.Port, 1, 65535);
            var tokens = Get("tokens-file")?.GetString();
            if (tokens is not null && string.IsNullOrWhiteSpace(tokens))
            {
                Error(null, ApiPrefix + "tokens-file", tokens, "expected a file path (written by `concentrator token add`)");
                tokens = null;
            }

            tokens = tokens is null ? null : FullPath(tokens);
            var anonymousActions = Bool(null, ApiPrefix + "allow-anonymous-actions", Get("allow-anonymous-actions"), fallback.AllowAnonymousActions);
            var anonymousReads = Bool(null, ApiPrefix + "allow-anonymous-reads", Get("allow-anonymous-reads"), fallback.AllowAnonymousReads);
            if (anonymousActions && !anonymousReads)
            {
                Error(null, ApiPrefix + "allow-anonymous-actions", "on",
                    "contradicts allow-anonymous-reads = off (a caller who may act may read); turn one of them around");
            }

            if (enabled && tokens is null && !IPAddress.IsLoopback(bind))
            {
                Error(null, ApiPrefix + "bind", bind.ToString(),
                    "an API reachable from other machines needs a tokens-file (create one with `concentrator token add`)");
            }

            var allow = ReadNetworks(null, ApiPrefix + "allow", Get("allow"));
            var deny = ReadNetworks(null, ApiPrefix + "deny", Get("deny"));
            var proxies = ReadNetworks(null, ApiPrefix + "trusted-proxies", Get("trusted-proxies"));
            return new ApiSettings(enabled, bind, port, tokens, anonymousActions)
            {
                Sources = allow.Count + deny.Count > 0 ? new SourceFilter(allow, deny) : SourceFilter.None,
                TrustedProxies = proxies.Count > 0 ? new TrustedProxies(proxies) : TrustedProxies.None,
                AllowAnonymousReads = anonymousReads,
                Tls = ReadApiTls(Get("tls")),
            };
        }

        /// <summary><c>tls { certificate, key }</c>, loaded and checked by the listeners' reader (files, modes, a matching key).</summary>
        private TlsSettings? ReadApiTls(HoconValue? value)
        {
            var before = Errors.Count;
            if (value is not null && value.IsObject())
            {
                foreach (var key in ClientCertificateKeys.Where(value.GetObject().Items.ContainsKey))
                {
                    Error(null, $"{ApiPrefix}tls.{key}", Show(value.GetObject().Items[key]),
                        "the API knows its callers by their bearer tokens: its tls takes certificate and key only");
                }
            }

            if (Errors.Count != before)
            {
                return null;
            }

            var tls = ReadTls(null, ApiPrefix, value, ListenerAuthentication.None);
            return Errors.Count == before ? tls : null;
        }

        private void CheckApiAddress(ApiSettings api, List<PortSettings> ports)
        {
            if (!api.Enabled)
            {
                return;
            }

            foreach (var port in ports)
            {
                if (port.Listeners.FirstOrDefault(l => l.Port == api.Port && Overlaps(l.Bind, api.Bind)) is { } clash)
                {
                    Error(null, ApiPrefix + "port", api.Port.ToString(CultureInfo.InvariantCulture),
                        $"TCP port {api.Port} is already used by port '{port.Name}' ({clash.EndPoint})");
                }
            }
        }
    }
}
