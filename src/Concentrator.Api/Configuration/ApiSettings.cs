using System.Net;
using Concentrator.Ports.Security;

namespace Concentrator.Api.Configuration;

/// <summary>
/// <c>concentrator.api { ... }</c>: the management HTTP API served in the daemon (ports, sessions, reload, metrics,
/// health) and the dashboard beside it. Loopback-only and token-free by default; a bind that other machines can reach
/// needs <see cref="TokensFile"/>. Its entry point takes the listeners' source filter and the daemon-wide per-source
/// limits (<see cref="Sources"/>, <c>concentrator.security</c>).
/// </summary>
/// <param name="Enabled">Whether the daemon serves the API at all.</param>
/// <param name="Bind">The address Kestrel listens on.</param>
/// <param name="Port">The TCP port Kestrel listens on.</param>
/// <param name="TokensFile">Bearer tokens (name, role, SHA-256 of the token), full path; null = no tokens.</param>
/// <param name="AllowAnonymousActions">Whether loopback callers without a token may act (kick, set line, reload), not only read.</param>
public sealed record ApiSettings(bool Enabled, IPAddress Bind, int Port, string? TokensFile, bool AllowAnonymousActions)
{
    public const int DefaultPort = 7900;

    /// <summary>What a config without <c>concentrator.api</c> gets: on, 127.0.0.1:7900, no tokens, anonymous read only.</summary>
    public static ApiSettings Default { get; } = new(true, IPAddress.Loopback, DefaultPort, null, false);

    /// <summary><c>allow</c> / <c>deny</c>: checked at accept like a listener's (for a trusted proxy's requests, on the client it names).</summary>
    public SourceFilter Sources { get; init; } = SourceFilter.None;

    /// <summary><c>trusted-proxies</c>: the peers whose forwarding headers name the client.</summary>
    public TrustedProxies TrustedProxies { get; init; } = TrustedProxies.None;

    /// <summary><c>allow-anonymous-reads</c>: whether loopback callers without a token may read (off: every read needs a token).</summary>
    public bool AllowAnonymousReads { get; init; } = true;

    /// <summary><c>tls { certificate, key }</c>: HTTPS instead of HTTP; null for plain HTTP.</summary>
    public TlsSettings? Tls { get; init; }

    public IPEndPoint EndPoint => new(Bind, Port);

    public string Url => $"{(Tls is null ? "http" : "https")}://{EndPoint}";

    public override string ToString() => !Enabled
        ? "off"
        : $"{Url}{(TokensFile is null ? ", no tokens file" : ", tokens from " + TokensFile)}" +
          $", anonymous loopback callers {(!AllowAnonymousReads ? "get nothing" : AllowAnonymousActions ? "may act" : "may read")}" +
          (Sources.IsEmpty ? "" : $", {Sources}") +
          (TrustedProxies.IsEmpty ? "" : $", forwarding headers trusted from {TrustedProxies}");
}
