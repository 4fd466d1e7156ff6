using System.CommandLine;
using Concentrator.Client.Rfc2217;
using Concentrator.Client.Security;
using Concentrator.Client.Terminal;

namespace Concentrator.Commands;

/// <summary>
/// <c>concentrator attach HOST:PORT</c>: an interactive terminal on a remote port (raw mode; Ctrl-] then q quit,
/// b break, Ctrl-] a literal Ctrl-]). Exit 0 when the user detaches, 1 when the port is busy, gone or closed.
/// </summary>
public static class AttachCommand
{
    public static Command Create()
    {
        var remote = RemoteEndPointArgument.Create("The remote port (telnet or rfc2217 listener)");
        var security = new ClientSecurityOptions();
        var command = new Command("attach",
            "Interactive terminal on a remote port (Ctrl-] then q quit, b break, Ctrl-] a literal Ctrl-]). " +
            "Exit 0 on detach, 1 when the port is busy, unreachable or closed.")
        {
            remote,
        };
        security.AddTo(command);
        command.SetAction((parse, _) => security.Resolve(parse, "attach") is { } secured
            ? RunAsync(parse.GetRequiredValue(remote), secured)
            : Task.FromResult(ExitCodes.Usage));
        return command;
    }

    private static async Task<int> RunAsync(RemoteEndPoint remote, ClientSecurity security)
    {
        using var stop = new CancellationTokenSource();
        using var signals = ClientSignals.CancelOn(stop);
        return await AttachSession.RunAsync(remote, stop.Token, security).ConfigureAwait(false);
    }
}
