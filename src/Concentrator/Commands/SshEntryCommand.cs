using System.CommandLine;
using Concentrator.Client.Terminal;

namespace Concentrator.Commands;

/// <summary>
/// <c>concentrator ssh-entry [PORT] [--socket PATH]</c>: the ForceCommand of an sshd Match block, so that
/// <c>ssh -t console@host switch-1</c> opens port switch-1 as principal "ssh:console". The port comes from
/// SSH_ORIGINAL_COMMAND (what the user typed after the host) unless given as an argument.
/// </summary>
public static class SshEntryCommand
{
    /// <summary>Where the daemon listens unless security.ssh-entry-socket says otherwise.</summary>
    public const string DefaultSocket = "/run/concentrator/ssh-entry.sock";

    public static Command Create()
    {
        var port = new Argument<string?>("PORT")
        {
            Description = "The port to open (default: SSH_ORIGINAL_COMMAND, i.e. `ssh -t HOST PORT`)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var socket = new Option<string>("--socket")
        {
            Description = "The daemon's security.ssh-entry-socket",
            HelpName = "PATH",
            DefaultValueFactory = _ => DefaultSocket,
        };
        var command = new Command("ssh-entry",
            "sshd's ForceCommand: opens the port named by `ssh -t HOST PORT` through the daemon's ssh-entry socket; " +
            "the session's principal is ssh:USER and the port's ACL applies. Escape commands: Ctrl-E c then ? for help.")
        {
            port, socket,
        };
        command.SetAction((parse, _) => RunAsync(parse.GetValue(port), parse.GetRequiredValue(socket)));
        return command;
    }

    private static async Task<int> RunAsync(string? port, string socket)
    {
        var name = (port ?? Environment.GetEnvironmentVariable("SSH_ORIGINAL_COMMAND") ?? "").Trim();
        if (name.Length == 0 || name.Any(char.IsWhiteSpace))
        {
            await Console.Error.WriteLineAsync("concentrator ssh-entry: name one port: ssh -t HOST PORT").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        using var stop = new CancellationTokenSource();
        using var signals = ClientSignals.CancelOn(stop);
        return await SshEntrySession.RunAsync(socket, name, Environment.GetEnvironmentVariable("SSH_CONNECTION"), stop.Token).ConfigureAwait(false);
    }
}
