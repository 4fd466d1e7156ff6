namespace Concentrator.Api.Auth;

/// <summary>
/// What a token may do. Every role reads (ports, sessions, leases, metrics). <see cref="Operate"/>: kick, line settings,
/// break and write lock, on the ports whose ACL lets the token's principal (<c>web:NAME</c>) write and, while a port is
/// leased, only as its holder. <see cref="Lease"/>: acquire leases for itself (a scheduler needs nothing else; renew
/// and release take the lease's own token). <see cref="Admin"/>: everything, on every port, and reload and revoke.
/// </summary>
public enum ApiRole { Read, Operate, Lease, Admin, Audit }

/// <summary>One line of the tokens file: a token's name, its role and the SHA-256 of the token (never the token).</summary>
public sealed record ApiToken(string Name, ApiRole Role, string Sha256Hex);
