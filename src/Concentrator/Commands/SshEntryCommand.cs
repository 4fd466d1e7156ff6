using System.CommandLine;
using Concentrator.Client.Terminal;
using Concentrator.Ports.Listener;
using Concentrator.Ports.Security;

namespace Concentrator.Commands;

/// <summary>
/// <c>concentrator ssh-entry [PORT] [--socket PATH] [--principal NAME]</c>: what sshd runs for an SSH user. Behind a
/// ForceCommand of a Match block, <c>ssh -t alice@host switch-1</c> opens switch-1 as "ssh:alice". Behind the SSH
/// front door (the console account, whose authorized_keys lines <c>concentrator ssh-keys</c> prints with
/// <c>--principal</c>), <c>ssh -t console@host switch-1</c> opens it as the users-file principal; <c>ssh -t
/// console@host</c> shows the port menu; <c>ssh console@host ports</c> lists the ports. The port comes from
/// SSH_ORIGINAL_COMMAND (what the user typed after the host) unless given as an argument.
/// </summary>
public static class SshEntryCommand
{
    /// <summary>Where the daemon listens unless security.ssh-entry-socket says otherwise.</summary>
    public const string DefaultSocket = "/run/concentrator/ssh-entry.sock";

    /// <summary>What the user types after the host to list the ports instead of opening one.</summary>
    public const string ListWord = "ports";

    public static Command Create()
    {
        var port = new Argument<string?>("PORT")
        {
            Description = "The port to open (default: SSH_ORIGINAL_COMMAND, i.e. `ssh -t HOST PORT`); \"ports\" lists them, none shows a menu",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var socket = new Option<string>("--socket")
        {
            Description = "The daemon's security.ssh-entry-socket",
            HelpName = "PATH",
            DefaultValueFactory = _ => DefaultSocket,
        };
        var principal = new Option<string?>("--principal")
        {
            Description = "The users-file principal sshd authenticated (set by the authorized_keys line `concentrator ssh-keys` prints; " +
                          "the daemon believes it only from security.ssh-console-account)",
            HelpName = "NAME",
        };
        var command = new Command("ssh-entry",
            "What sshd runs for an SSH user: opens the port named by `ssh -t HOST PORT` through the daemon's ssh-entry socket, " +
            "lists them for `ssh HOST ports`, or shows a menu. Escape commands: Ctrl-E c then ? for help.")
        {
            port, socket, principal,
        };
        command.SetAction((parse, _) => RunAsync(parse.GetValue(port), parse.GetRequiredValue(socket), parse.GetValue(principal)));
        return command;
    }

    private static async Task<int> RunAsync(string? port, string socket, string? principal)
    {
        if (principal is not null && !UserDirectory.IsValidName(principal))
        {
            await Console.Error.WriteLineAsync($"concentrator ssh-entry: '{principal}' is not a users-file name").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var name = (port ?? Environment.GetEnvironmentVariable("SSH_ORIGINAL_COMMAND") ?? "").Trim();
        if (name.Any(char.IsWhiteSpace))
        {
            await Console.Error.WriteLineAsync("concentrator ssh-entry: name one port: ssh -t HOST PORT").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        using var stop = new CancellationTokenSource();
        using var signals = ClientSignals.CancelOn(stop);
        var sshConnection = Environment.GetEnvironmentVariable("SSH_CONNECTION");
        var listHeader = SshEntryHeader.Format("", sshConnection, principal, 0, 0, SshEntryVerb.List);
        if (name == ListWord)
        {
            return await ListAsync(socket, listHeader, stop.Token).ConfigureAwait(false);
        }

        if (name.Length == 0)
        {
            if (await SshEntrySession.ChoosePortAsync(socket, listHeader, stop.Token).ConfigureAwait(false) is not { } chosen)
            {
                return ExitCodes.Ok;
            }

            name = chosen;
        }

        var (columns, rows) = SshEntrySession.TerminalSize();
        var header = SshEntryHeader.Format(name, sshConnection, principal, columns, rows, SshEntryVerb.Join);
        return await SshEntrySession.RunAsync(socket, header,
            (c, r) => SshEntryHeader.Format(name, sshConnection, principal, c, r, SshEntryVerb.Resize), stop.Token).ConfigureAwait(false);
    }

    private static async Task<int> ListAsync(string socket, string header, CancellationToken cancellationToken)
    {
        if (await SshEntrySession.ListAsync(socket, header, cancellationToken).ConfigureAwait(false) is not { } list)
        {
            return ExitCodes.Failure;
        }

        if (list.StartsWith("concentrator:", StringComparison.Ordinal))
        {
            await Console.Error.WriteAsync(list).ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        foreach (var entry in PortMenuEntry.ParseList(list))
        {
            await Console.Out.WriteLineAsync($"{entry.Name}\t{entry.Access}\t{string.Join(',', entry.Tags)}").ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }
}
