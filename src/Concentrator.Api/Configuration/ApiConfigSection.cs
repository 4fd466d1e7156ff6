using System.Globalization;
using System.Net;
using Akka.Configuration.Hocon;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Security;

namespace Concentrator.Api.Configuration;

/// <summary>
/// <c>concentrator.api</c>: the HTTP entry point (management API and dashboard), read by the API itself with the shared
/// <see cref="ConfigValues"/>. Its <c>allow</c>, <c>deny</c> and <c>tls</c> are read by the listeners' own readers, so
/// they take the same syntax and give the same errors.
/// </summary>
public sealed class ApiConfigSection : IConfigSection
{
    public const string SectionKey = "api";

    private const string ApiPrefix = "concentrator.api.";

    private static readonly string[] ApiKeys =
    [
        "enabled", "bind", "port", "tokens-file", "allow-anonymous-actions", "allow-anonymous-reads", "allow", "deny", "trusted-proxies", "tls",
    ];

    /// <summary>What a listener's tls takes that the API's does not: the API knows its callers by their tokens.</summary>
    private static readonly string[] ClientCertificateKeys = ["client-ca", "client-certificate"];

    public static ApiConfigSection Instance { get; } = new();

    public string Key => SectionKey;

    public object? Read(ConfigValues values, HoconValue? value)
    {
        ArgumentNullException.ThrowIfNull(values);
        return ReadApi(values, value);
    }

    public IEnumerable<string> Warnings(ConcentratorSettings settings, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return ApiWarnings(settings.ApiSettings(), at);
    }

    /// <summary>Tokens, sessions and consoles in the clear on a network; an API certificate that clients will refuse.</summary>
    private static IEnumerable<string> ApiWarnings(ApiSettings api, DateTimeOffset at)
    {
        if (!api.Enabled)
        {
            yield break;
        }

        if (api.Tls is null && !IPAddress.IsLoopback(api.Bind))
        {
            yield return $"api: {api.Url} is plain HTTP on an address other machines reach: tokens, dashboard sessions and console " +
                         "output cross the network in the clear; add api.tls { certificate, key }, or serve it on loopback behind an " +
                         "HTTPS proxy (api.trusted-proxies)";
        }

        if (api.Tls is { } tls && (tls.Certificate.NotAfter.ToUniversalTime() < at.UtcDateTime || tls.Certificate.NotBefore.ToUniversalTime() > at.UtcDateTime))
        {
            yield return $"api: the certificate {tls.CertificateFile} is not valid now (valid " +
                         $"{tls.Certificate.NotBefore.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture)} to " +
                         $"{tls.Certificate.NotAfter.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture)}); clients that check it will refuse it";
        }
    }

    /// <summary>The API's TCP port must not be a listener's.</summary>
    public void Check(ConcentratorSettings settings, ConfigValues values)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(values);
        CheckApiAddress(values, settings.ApiSettings(), settings.Ports);
    }

    /// <summary>
    /// A bind other machines can reach without a tokens file would hand the consoles to anyone on the network, so
    /// it is an error (with or without tls: HTTPS hides the traffic, not who may send it).
    /// </summary>
    private static ApiSettings ReadApi(ConfigValues values, HoconValue? value)
    {
        var fallback = ApiSettings.Default;
        if (value is null)
        {
            return fallback;
        }

        if (!value.IsObject())
        {
            values.Error(null, "concentrator.api", ConfigValues.Show(value), "must be an object { enabled = on, bind = \"127.0.0.1\", port = 7900 }");
            return fallback;
        }

        var o = value.GetObject();
        values.CheckKeys(o, ApiKeys, null, ApiPrefix);
        HoconValue? Get(string key) => o.Items.TryGetValue(key, out var v) ? v : null;
        var enabled = values.Bool(null, ApiPrefix + "enabled", Get("enabled"), fallback.Enabled);
        var bind = values.Address(null, ApiPrefix + "bind", Get("bind"));
        var port = values.Int(null, ApiPrefix + "port", Get("port"), fallback.Port, 1, 65535);
        var tokens = Get("tokens-file")?.GetString();
        if (tokens is not null && string.IsNullOrWhiteSpace(tokens))
        {
            values.Error(null, ApiPrefix + "tokens-file", tokens, "expected a file path (written by `concentrator token add`)");
            tokens = null;
        }

        tokens = tokens is null ? null : values.FullPath(tokens);
        var anonymousActions = values.Bool(null, ApiPrefix + "allow-anonymous-actions", Get("allow-anonymous-actions"), fallback.AllowAnonymousActions);
        var anonymousReads = values.Bool(null, ApiPrefix + "allow-anonymous-reads", Get("allow-anonymous-reads"), fallback.AllowAnonymousReads);
        if (anonymousActions && !anonymousReads)
        {
            values.Error(null, ApiPrefix + "allow-anonymous-actions", "on",
                "contradicts allow-anonymous-reads = off (a caller who may act may read); turn one of them around");
        }

        if (enabled && tokens is null && !IPAddress.IsLoopback(bind))
        {
            values.Error(null, ApiPrefix + "bind", bind.ToString(),
                "an API reachable from other machines needs a tokens-file (create one with `concentrator token add`)");
        }

        var allow = values.ReadNetworks(null, ApiPrefix + "allow", Get("allow"));
        var deny = values.ReadNetworks(null, ApiPrefix + "deny", Get("deny"));
        var proxies = values.ReadNetworks(null, ApiPrefix + "trusted-proxies", Get("trusted-proxies"));
        return new ApiSettings(enabled, bind, port, tokens, anonymousActions)
        {
            Sources = allow.Count + deny.Count > 0 ? new SourceFilter(allow, deny) : SourceFilter.None,
            TrustedProxies = proxies.Count > 0 ? new TrustedProxies(proxies) : TrustedProxies.None,
            AllowAnonymousReads = anonymousReads,
            Tls = ReadApiTls(values, Get("tls")),
        };
    }

    /// <summary><c>tls { certificate, key }</c>, loaded and checked by the listeners' reader (files, modes, a matching key).</summary>
    private static TlsSettings? ReadApiTls(ConfigValues values, HoconValue? value)
    {
        var before = values.Errors.Count;
        if (value is not null && value.IsObject())
        {
            foreach (var key in ClientCertificateKeys.Where(value.GetObject().Items.ContainsKey))
            {
                values.Error(null, $"{ApiPrefix}tls.{key}", ConfigValues.Show(value.GetObject().Items[key]),
                    "the API knows its callers by their bearer tokens: its tls takes certificate and key only");
            }
        }

        if (values.Errors.Count != before)
        {
            return null;
        }

        var tls = values.ReadTls(null, ApiPrefix, value, ListenerAuthentication.None);
        return values.Errors.Count == before ? tls : null;
    }

    private static void CheckApiAddress(ConfigValues values, ApiSettings api, IReadOnlyList<PortSettings> ports)
    {
        if (!api.Enabled)
        {
            return;
        }

        foreach (var port in ports)
        {
            if (port.Listeners.FirstOrDefault(l => l.Port == api.Port && ConfigValues.Overlaps(l.Bind, api.Bind)) is { } clash)
            {
                values.Error(null, ApiPrefix + "port", api.Port.ToString(CultureInfo.InvariantCulture),
                    $"TCP port {api.Port} is already used by port '{port.Name}' ({clash.EndPoint})");
            }
        }
    }
}

/// <summary>The API's settings out of the whole config.</summary>
public static class ApiSettingsAccess
{
    /// <summary>What <c>concentrator.api</c> says, or <see cref="Configuration.ApiSettings.Default"/> when it was not read.</summary>
    public static ApiSettings ApiSettings(this ConcentratorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Section<ApiSettings>(ApiConfigSection.SectionKey) ?? Configuration.ApiSettings.Default;
    }
}
