namespace Concentrator.Ports.Security;

/// <summary>
/// The daemon-wide <c>concentrator.security { ... }</c>: the users file (already read and checked), per-source
/// limits, the handshake timeout, and the Unix socket SSH entry reaches the daemon through.
/// </summary>
/// <param name="UsersFile">Full path of the users file, null when none is configured.</param>
/// <param name="Users">Its accounts (empty without a file).</param>
/// <param name="Limits">max-connections-per-source, accept-rate-per-source, login-attempts.</param>
/// <param name="HandshakeTimeout">TLS handshake, telnet login (per prompt), and admission: a client slower than this is closed.</param>
/// <param name="SshEntrySocket">The Unix socket <c>concentrator ssh-entry</c> connects to; null: no SSH entry.</param>
/// <param name="SshEntryGroup">The group that may open that socket (mode 0660); null: the daemon's own group.</param>
/// <param name="SshUserCa">The SSH user CA's public key file (sshd's TrustedUserCAKeys); null: no certificates.</param>
/// <param name="SshConsoleAccount">The one system account of the SSH front door, whose ssh-entry alone may name a principal.</param>
public sealed record SecuritySettings(
    string? UsersFile,
    UserDirectory Users,
    SourceLimits Limits,
    TimeSpan HandshakeTimeout,
    string? SshEntrySocket = null,
    string? SshEntryGroup = null,
    string? SshUserCa = null,
    string SshConsoleAccount = SecuritySettings.DefaultSshConsoleAccount)
{
    public const string DefaultSshConsoleAccount = "console";

    public static SecuritySettings Default { get; } = new(null, UserDirectory.Empty, SourceLimits.Default, TimeSpan.FromSeconds(10));
}
