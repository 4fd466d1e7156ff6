using System.CommandLine;
using Concentrator.Client.Bridges;
using Concentrator.Client.Rfc2217;
using Concentrator.Client.Security;

namespace Concentrator.Commands;

/// <summary>
/// <c>concentrator pty HOST:PORT --link PATH [--baud N]</c>: a local pseudo-terminal at PATH bridged to the remote
/// port over RFC 2217 (the socat replacement, with baud changes forwarded). Runs until SIGINT/SIGTERM/SIGHUP,
/// reconnecting with backoff; removes the link on exit.
/// </summary>
public static class PtyCommand
{
    public static Command Create()
    {
        var remote = RemoteEndPointArgument.Create("The remote port (an rfc2217 listener)");
        var security = new ClientSecurityOptions();
        var link = new Option<string>("--link")
        {
            Description = "Where to put the symlink to the pty (a real file there is never replaced); removed on exit",
            HelpName = "PATH",
            Required = true,
        };
        var baud = NumberOption.CreateOptional("--baud", "Baud rate to set on the remote port (default: take the remote port's rate)", 1, int.MaxValue);
        var command = new Command("pty",
            "Local pseudo-terminal at PATH bridged to the remote port over RFC 2217 (baud changes forwarded). " +
            "Runs until SIGINT/SIGTERM/SIGHUP, reconnecting with backoff.")
        {
            remote, link, baud,
        };
        security.AddTo(command);
        command.SetAction((parse, _) => security.Resolve(parse, "pty") is { } secured
            ? RunAsync(parse.GetRequiredValue(remote), parse.GetRequiredValue(link), parse.GetValue(baud), secured)
            : Task.FromResult(ExitCodes.Usage));
        return command;
    }

    private static async Task<int> RunAsync(RemoteEndPoint remote, string link, int? baud, ClientSecurity security)
    {
        using var stop = new CancellationTokenSource();
        using var signals = ClientSignals.CancelOn(stop);
        var bridge = new PtyBridge(remote, link, baud, message => Console.Error.WriteLine($"concentrator pty: {message}")) { Security = security };
        try
        {
            await bridge.RunAsync(stop.Token).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"concentrator pty: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
