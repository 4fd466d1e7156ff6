using System.CommandLine;
using System.CommandLine.Invocation;
using Concentrator.Commands;

namespace Concentrator;

/// <summary>Entry point: parses the command line and runs the command it names.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("concentrator: a serial console server (raw TCP, telnet, RFC 2217) and its clients.")
        {
            ServeCommand.Create(),
            AttachCommand.Create(),
            PtyCommand.Create(),
            BridgeCommand.Create(),
            ImportCommand.Ser2net(),
            ImportCommand.Conserver(),
            ImportCommand.Conman(),
            PortsCommand.Create(),
            SessionsCommand.Create(),
            RecordingsCommand.Create(),
            PlayCommand.Create(),
            KickCommand.Create(),
            PowerCommand.Create(),
            ExpectCommand.Create(),
            LeaseCommand.Create(),
            ReloadCommand.Create(),
            TokenCommand.Create(),
            PasswdCommand.Create(),
            SshEntryCommand.Create(),
            SshKeysCommand.Create(),
            SshConfigCommand.Create(),
        };
        root.Options.OfType<VersionOption>().Single().Action = new PrintVersionAction();

        var parse = root.Parse(args);
        // The commands handle SIGINT/SIGTERM themselves (the host's lifetime, ClientSignals), so System.CommandLine
        // must not cancel them and force an exit after its own timeout.
        var exitCode = await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
        // System.CommandLine reports a parse error with 1; ours is 2, so scripts can tell it from a runtime failure.
        return parse.Action is ParseErrorAction ? ExitCodes.Usage : exitCode;
    }
}
