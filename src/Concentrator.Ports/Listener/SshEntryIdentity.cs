using Concentrator.Ports.Admission;
using Concentrator.Ports.Security;

namespace Concentrator.Ports.Listener;

/// <summary>
/// Who an ssh-entry connection is, from the peer the kernel names (SO_PEERCRED) and the header it sent. The trust
/// boundary of the SSH front door: only the configured console account (security.ssh-console-account) may name a
/// users-file principal (<c>--principal</c>, which sshd pinned with the authorized_keys line <c>concentrator ssh-keys</c>
/// printed) and the SSH client's address (SSH_CONNECTION as sshd set it); that account can run nothing but the
/// forced ssh-entry. Any other local account is "ssh:ACCOUNT" with no source address, as before, and one that names
/// a principal is refused: a local process does not get to say who it is.
/// </summary>
public static class SshEntryIdentity
{
    /// <summary>The principal, or null with the reason for refusing the connection.</summary>
    public static Principal? Identify(string peerUser, SshEntryHeader header, SecuritySettings settings, out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(peerUser);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(settings);
        refusal = null;
        // Never root or the daemon's own account: the programs the daemon starts (exec: devices, power and trigger
        // commands) run as it, and must not be able to claim a principal.
        var console = peerUser == settings.SshConsoleAccount && !MayNotBeConsole(peerUser);
        if (header.Principal is not { } name)
        {
            return new Principal("ssh:" + peerUser, console ? header.SshClient?.Address : null) { Kind = PrincipalKind.Ssh };
        }

        if (!console)
        {
            refusal = $"local account {peerUser} named principal '{name}', but only the SSH console account " +
                      $"{settings.SshConsoleAccount} (security.ssh-console-account) may";
            return null;
        }

        if (settings.Users.Find(name) is not { } account)
        {
            refusal = $"principal '{name}' is not in the users file (any more)";
            return null;
        }

        return Principal.User(account.Name, header.SshClient?.Address, account.Groups);
    }

    /// <summary>Whether <paramref name="account"/> is root or the account the daemon runs as.</summary>
    public static bool MayNotBeConsole(string account) => account == "root" || account == Environment.UserName;
}
