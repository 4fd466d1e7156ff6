using System.Net;

namespace Concentrator.Ports.Configuration;

/// <summary>
/// <c>concentrator.api { ... }</c>: the management HTTP API served in the daemon (ports, sessions, reload, metrics,
/// health). Loopback-only and token-free by default; a bind that other machines can reach needs <see cref="TokensFile"/>.
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

    public IPEndPoint EndPoint => new(Bind, Port);

    public string Url => $"http://{EndPoint}";

    public override string ToString() => !Enabled
        ? "off"
        : $"{Url}{(TokensFile is null ? ", no tokens file" : ", tokens from " + TokensFile)}" +
          $", anonymous loopback callers {(AllowAnonymousActions ? "may act" : "may read")}";
}
