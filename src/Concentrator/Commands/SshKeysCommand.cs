using System.CommandLine;
using Concentrator.Ports.Security;
using Concentrator.Ports.Security.Ssh;

namespace Concentrator.Commands;

/// <summary>
/// <c>concentrator ssh-keys USER KEYTYPE KEY</c>: sshd's <c>AuthorizedKeysCommand … %u %t %k</c> for the SSH front
/// door. For the console account (security.ssh-console-account) and a key some users-file user holds, it prints one
/// authorized_keys line that pins that user as the principal (<see cref="AuthorizedKeysLine"/>); for anything else it
/// prints nothing and exits 0, which sshd reads as "no such key". For a user certificate (sshd passes it as the key)
/// and a configured security.ssh-user-ca it prints a <c>cert-authority,principals="NAME"</c> line with the CA's key,
/// NAME the certificate's first principal that is a users-file user: sshd itself checks that the certificate is
/// signed by that CA, valid now and names NAME (so a certificate from another CA matches nothing). Done here rather
/// than with TrustedUserCAKeys and AuthorizedPrincipalsCommand because OpenSSH 9.2 ignores the latter inside a
/// Match block (seen with Debian's sshd: it fell back to matching the account name).
/// </summary>
public static class SshKeysCommand
{
    public static Command Create()
    {
        var user = new Argument<string>("USER") { Description = "The account logging in (sshd's %u)" };
        var keyType = new Argument<string>("KEYTYPE") { Description = "The offered key's or certificate's type (sshd's %t)" };
        var key = new Argument<string>("KEY") { Description = "The offered key or certificate, base64 (sshd's %k)" };
        var config = new Option<string>("--config", "-c")
        {
            Description = "The daemon's config (its users-file, ssh-entry-socket, ssh-user-ca, ssh-console-account)",
            HelpName = "FILE",
            DefaultValueFactory = _ => SshFrontDoor.DefaultConfig,
        };
        var command = new Command("ssh-keys",
            "sshd's AuthorizedKeysCommand (%u %t %k) for the SSH front door: prints the authorized_keys line for a users-file " +
            "key or a certificate of security.ssh-user-ca, pinning its user as the principal, or nothing.")
        {
            user, keyType, key, config,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(user), parse.GetRequiredValue(keyType), parse.GetRequiredValue(key),
            parse.GetRequiredValue(config)));
        return command;
    }

    private static int Run(string account, string keyType, string keyText, string configPath)
    {
        if (SshFrontDoor.LoadSecurity(configPath, "ssh-keys") is not { } security)
        {
            return ExitCodes.Usage;
        }

        if (account != security.SshConsoleAccount || SshPublicKey.From(keyType, keyText, out _) is not { } key)
        {
            return ExitCodes.Ok;
        }

        var lines = new AuthorizedKeysLine(SshFrontDoor.SelfCommand(), security.SshEntrySocket ?? SshEntryCommand.DefaultSocket);
        foreach (var line in key.IsCertificate ? CertificateLines(security, key, lines) : KeyLines(security, key, lines))
        {
            Console.Out.WriteLine(line);
        }

        return ExitCodes.Ok;
    }

    private static IEnumerable<string> KeyLines(SecuritySettings security, SshPublicKey key, AuthorizedKeysLine lines) =>
        !key.IsCertificate && security.Users.FindByKey(key) is { } holder ? [lines.ForKey(holder.Name, key)] : [];

    /// <summary>Only with a configured user CA (read now, so a new CA needs no restart of anything).</summary>
    private static IEnumerable<string> CertificateLines(SecuritySettings security, SshPublicKey key, AuthorizedKeysLine lines)
    {
        if (security.SshUserCa is not { } caFile || SshPublicKey.Parse(File.ReadAllText(caFile), out _) is not { } ca ||
            SshCertificate.Principals(key.Blob) is not { } names)
        {
            return [];
        }

        return names.FirstOrDefault(n => UserDirectory.IsValidName(n) && security.Users.Find(n) is not null) is { } principal
            ? [lines.ForCertificate(principal, ca)]
            : [];
    }
}
