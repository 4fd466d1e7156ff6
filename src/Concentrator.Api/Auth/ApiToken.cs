namespace Concentrator.Api.Auth;

/// <summary>What a token may do: read (ports, sessions, metrics) or also act (kick, line settings, break, reload).</summary>
public enum ApiRole { Read, Admin }

/// <summary>One line of the tokens file: a token's name, its role and the SHA-256 of the token (never the token).</summary>
public sealed record ApiToken(string Name, ApiRole Role, string Sha256Hex);
