using Concentrator.Ports.Admission;
using Concentrator.Ports.Channels;

namespace Concentrator.Ports.Security;

/// <summary>Who a client turned out to be after its channel's handshake: a principal, or why it has none.</summary>
public sealed record Identification(Principal? Principal, string? Problem)
{
    public static Identification Anonymous(ISessionChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        // A channel may vouch for its client (the dashboard's login) and carry a lease token (the terminal WebSocket's header).
        var principal = channel.Identity ?? Principal.Anonymous(channel.RemoteEndPoint);
        return new(principal with { LeaseToken = channel.LeaseToken }, null);
    }
}

/// <summary>A password listener's login: the accounts, the per-source failure count, and tries per connection.</summary>
public sealed record PasswordLogin(UserDirectory Users, SourceLimiter Limiter, int AttemptsPerConnection = 3);

/// <summary>
/// What a session needs to know about security before it may join its port: how long its handshake (and login) may
/// take, how it learns who the client is, whether it asks for a password, and where refusals are counted. Made by
/// the listener for each connection (<see cref="DaemonSecurity.ForSession"/>).
/// </summary>
public sealed record SessionSecurity
{
    /// <summary>Anonymous clients, a 10 s handshake: what a session gets when nobody says otherwise.</summary>
    public static SessionSecurity Default { get; } = new();

    /// <summary>The TLS handshake, each login prompt, and the port's admission must each finish within this.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Called once the channel's handshake is done (never with a login).</summary>
    public Func<ISessionChannel, Identification> Identify { get; init; } = Identification.Anonymous;

    /// <summary>Set on password listeners: <c>login:</c> / <c>Password:</c> before the console.</summary>
    public PasswordLogin? Login { get; init; }

    /// <summary>A person on a terminal over a raw byte stream (SSH entry): escape commands and notices as on telnet.</summary>
    public bool Interactive { get; init; }

    /// <summary>Throttles the session's refusal lines (handshake and login failures) per source; null logs each.</summary>
    public RefusalLog? Refusals { get; init; }

    /// <summary>Where logins and refusals are written down (the daemon's audit trail).</summary>
    public Audit.AuditTrail Audit { get; init; } = Ports.Audit.AuditTrail.None;
}
