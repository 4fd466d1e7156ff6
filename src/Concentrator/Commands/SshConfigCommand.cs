using System.CommandLine;
using System.Text;
using Concentrator.Ports.Security;
using Concentrator.Ports.Security.Ssh;

namespace Concentrator.Commands;

/// <summary>
/// <c>concentrator ssh-config [--account console]</c>: prints the sshd <c>Match User</c> block of the SSH front door
/// (keys and security.ssh-user-ca certificates from <c>ssh-keys</c>, public keys only, no forwarding, a pty) and,
/// as comments, the commands that make the one system account. The account may do nothing but run ssh-entry: its
/// keys come only from <c>ssh-keys</c>, whose every line forces that command.
/// </summary>
public static class SshConfigCommand
{
    public static Command Create()
    {
        var account = new Option<string?>("--account")
        {
            Description = "The system account SSH users log in as (default: security.ssh-console-account, itself \"console\")",
            HelpName = "NAME",
        };
        var config = new Option<string>("--config", "-c")
        {
            Description = "The daemon's config",
            HelpName = "FILE",
            DefaultValueFactory = _ => SshFrontDoor.DefaultConfig,
        };
        var commandUser = new Option<string>("--command-user")
        {
            Description = "The account sshd runs ssh-keys as: one that can read the config and the users file (the daemon's)",
            HelpName = "NAME",
            DefaultValueFactory = _ => "concentrator",
        };
        var command = new Command("ssh-config",
            "Print the sshd_config Match block of the SSH front door (`ssh -t console@host PORT`) and the commands that create its account")
        {
            account, config, commandUser,
        };
        command.SetAction(parse => Run(parse.GetValue(account), parse.GetRequiredValue(config), parse.GetRequiredValue(commandUser)));
        return command;
    }

    private static int Run(string? account, string configPath, string commandUser)
    {
        if (SshFrontDoor.LoadSecurity(configPath, "ssh-config") is not { } security)
        {
            return ExitCodes.Usage;
        }

        var name = account ?? security.SshConsoleAccount;
        if (!UserDirectory.IsValidName(name) || !UserDirectory.IsValidName(commandUser))
        {
            Console.Error.WriteLine($"concentrator ssh-config: '{(UserDirectory.IsValidName(name) ? commandUser : name)}' is not an account name");
            return ExitCodes.Usage;
        }

        if (name != security.SshConsoleAccount)
        {
            Console.Error.WriteLine($"concentrator ssh-config: note: set security.ssh-console-account = \"{name}\" in {configPath}: " +
                                    $"the daemon believes only that account's ssh-entry (now: {security.SshConsoleAccount})");
        }

        Console.Out.Write(Block(name, Path.GetFullPath(configPath), commandUser, security));
        return ExitCodes.Ok;
    }

    /// <summary>The text printed: the Match block and the account setup.</summary>
    public static string Block(string account, string configPath, string commandUser, SecuritySettings security)
    {
        ArgumentNullException.ThrowIfNull(security);
        var self = string.Join(' ', SshFrontDoor.SelfCommand().Concat(["ssh-keys", "--config", configPath]).Select(AuthorizedKeysLine.ShellWord));
        var group = security.SshEntryGroup;
        var text = new StringBuilder()
            .AppendLine($"# The SSH front door of concentrator: `ssh -t {account}@host PORT`. Add to /etc/ssh/sshd_config")
            .AppendLine("# (at the end: a Match block lasts until the next Match), then check with `sshd -t` and reload sshd.")
            .AppendLine($"Match User {account}")
            .AppendLine("    AuthenticationMethods publickey")
            .AppendLine("    PubkeyAuthentication yes")
            .AppendLine("    PasswordAuthentication no")
            .AppendLine("    KbdInteractiveAuthentication no")
            .AppendLine("    AuthorizedKeysFile none")
            .AppendLine($"    AuthorizedKeysCommand {self} %u %t %k")
            .AppendLine($"    AuthorizedKeysCommandUser {commandUser}");
        if (security.SshUserCa is { } ca)
        {
            // Certificates come through the same command as cert-authority lines (see SshKeysCommand).
            text.AppendLine($"    # user certificates signed by {ca} (security.ssh-user-ca) are accepted through ssh-keys too");
        }

        return text
            .AppendLine("    DisableForwarding yes")
            .AppendLine("    PermitTTY yes")
            .AppendLine("    PermitUserRC no")
            .AppendLine("    PermitTunnel no")
            .AppendLine("    X11Forwarding no")
            .AppendLine()
            .AppendLine($"# The account (as root). A shell, because sshd runs the forced command with it; no password, but not")
            .AppendLine("# locked ('*', not '!'), so sshd lets keys in; in the socket's group, so ssh-entry can reach the daemon.")
            .AppendLine($"#   useradd --system --create-home --home-dir /var/lib/{account} --shell /bin/sh {account}")
            .AppendLine($"#   usermod -p '*' {account}")
            .AppendLine(group is null
                ? $"#   usermod -aG $(id -gn {commandUser}) {account}    # the daemon's group owns the ssh-entry socket (or set security.ssh-entry-group)"
                : $"#   usermod -aG {group} {account}")
            .ToString();
    }
}
