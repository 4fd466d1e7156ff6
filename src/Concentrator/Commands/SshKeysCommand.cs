using System.CommandLine;
using Concentrator.Ports.Security;
using Concentrator.Ports.Security.Ssh;

namespace Concentrator.Commands;

/// <summary>
/// <c>concentrator ssh-keys USER KEYTYPE KEY</c>: sshd's <c>AuthorizedKeysCommand … %u %t %k</c> for the SSH front
/// door. For the console account (security.ssh-console-account) and a key some users-file user holds, it prints one
/// authorized_keys line that pins that user as the principal (<see cref="AuthorizedKeysLine"/>); for anything else it
/// prints nothing and exits 0, which sshd reads as "no such key". With <c>--principals</c> it is the
/// <c>AuthorizedPrincipalsCommand</c>: sshd has verified the certificate against TrustedUserCAKeys (the
/// security.ssh-user-ca) already, and this prints one line per certificate principal that is a users-file user.
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
        var principals = new Option<bool>("--principals")
        {
            Description = "Be the AuthorizedPrincipalsCommand: print the lines for a certificate's principals",
        };
        var command = new Command("ssh-keys",
            "sshd's AuthorizedKeysCommand (%u %t %k) for the SSH front door: prints the authorized_keys line for a users-file " +
            "key, pinning its user as the principal, or nothing. --principals: the AuthorizedPrincipalsCommand for certificates.")
        {
            user, keyType, key, config, principals,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(user), parse.GetRequiredValue(keyType), parse.GetRequiredValue(key),
            parse.GetRequiredValue(config), parse.GetValue(principals)));
        return command;
    }

    private static int Run(string account, string keyType, string keyText, string configPath, bool principals)
    {
        if (SshFrontDoor.LoadSecurity(configPath, "ssh-keys") is not { } security)
        {
            return ExitCodes.Failure;
        }

        if (account != security.SshConsoleAccount || SshPublicKey.From(keyType, keyText, out _) is not { } key)
        {
            return ExitCodes.Ok;
        }

        var lines = new AuthorizedKeysLine(SshFrontDoor.SelfCommand(), security.SshEntrySocket ?? SshEntryCommand.DefaultSocket);
        foreach (var line in principals ? CertificateLines(security, key, lines) : KeyLines(security, key, lines))
        {
            Console.Out.WriteLine(line);
        }

        return ExitCodes.Ok;
    }

    private static IEnumerable<string> KeyLines(SecuritySettings security, SshPublicKey key, AuthorizedKeysLine lines) =>
        !key.IsCertificate && security.Users.FindByKey(key) is { } holder ? [lines.ForKey(holder.Name, key)] : [];

    /// <summary>Only with a configured user CA: sshd checks the signature against TrustedUserCAKeys, which ssh-config sets to that file.</summary>
    private static IEnumerable<string> CertificateLines(SecuritySettings security, SshPublicKey key, AuthorizedKeysLine lines) =>
        security.SshUserCa is not null && key.IsCertificate && SshCertificate.Principals(key.Blob) is { } names
            ? names.Distinct(StringComparer.Ordinal).Where(n => UserDirectory.IsValidName(n) && security.Users.Find(n) is not null)
                .Select(lines.ForCertificatePrincipal)
            : [];
}
