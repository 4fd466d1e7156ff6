using Concentrator.Ports.Audit;
using Concentrator.Ports.Channels;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Recording;

namespace Concentrator.Ports.Security;

/// <summary>
/// The daemon-wide security state every listener shares: the security settings in force (a reload swaps them), the
/// per-source limiter and the refusal log. Thread-safe: listeners on different threads read it.
/// </summary>
public sealed class DaemonSecurity
{
    private SecuritySettings _settings;

    public DaemonSecurity(SecuritySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        Limiter = new SourceLimiter(settings.Limits);
    }

    /// <summary>No per-source limits (a port started on its own, as in tests).</summary>
    public static DaemonSecurity Unlimited() => new(SecuritySettings.Default with { Limits = SourceLimits.None });

    public SecuritySettings Settings => Volatile.Read(ref _settings);

    public SourceLimiter Limiter { get; }

    public RefusalLog Refusals { get; } = new();

    /// <summary>Where every action is written down (login, join, role, line, break, kick, lease, reload); nowhere by default.</summary>
    public AuditTrail Audit { get; init; } = AuditTrail.None;

    /// <summary>The recordings directory ports with <c>recording</c> on write to; null: no port records.</summary>
    public RecordingStore? Recordings { get; init; }

    /// <summary>A reload: new users, limits and timeouts for new connections; counts kept so far stay.</summary>
    public void Apply(SecuritySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Volatile.Write(ref _settings, settings);
        Limiter.Limits = settings.Limits;
    }

    /// <summary>What one new session of <paramref name="listener"/> gets.</summary>
    public SessionSecurity ForSession(ListenerSettings listener, Func<ISessionChannel, Identification>? identify = null, bool interactive = false)
    {
        ArgumentNullException.ThrowIfNull(listener);
        var settings = Settings;
        return new SessionSecurity
        {
            HandshakeTimeout = settings.HandshakeTimeout,
            Identify = identify ?? Identification.Anonymous,
            Login = listener.Auth == ListenerAuthentication.Password ? new PasswordLogin(settings.Users, Limiter) : null,
            Interactive = interactive,
            Refusals = Refusals,
            Audit = Audit,
        };
    }
}
