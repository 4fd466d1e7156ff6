using Concentrator.Client.Rfc2217;
using Concentrator.Client.Terminal;

namespace Concentrator.Commands;

/// <summary>
/// <c>concentrator attach HOST:PORT</c>: an interactive terminal on a remote port (raw mode; Ctrl-] then q quit,
/// b break, Ctrl-] a literal Ctrl-]). Exit 0 when the user detaches, 1 when the port is busy, gone or closed.
/// </summary>
public static class AttachCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 1 || !RemoteEndPoint.TryParse(args[0], out var remote))
        {
            return Usage.Fail("attach: expected HOST:PORT");
        }

        using var stop = new CancellationTokenSource();
        using var signals = ClientSignals.CancelOn(stop);
        return await AttachSession.RunAsync(remote, stop.Token).ConfigureAwait(false);
    }
}
