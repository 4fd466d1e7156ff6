using System.Globalization;
using System.Runtime.InteropServices;
using Concentrator.Client.Bridges;
using Concentrator.Client.Rfc2217;

namespace Concentrator.Commands;

/// <summary>
/// <c>concentrator pty HOST:PORT --link PATH [--baud N]</c>: a local pseudo-terminal at PATH bridged to the remote
/// port over RFC 2217 (the socat replacement, with baud changes forwarded). Runs until SIGINT/SIGTERM/SIGHUP,
/// reconnecting with backoff; removes the link on exit.
/// </summary>
public static class PtyCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        RemoteEndPoint? remote = null;
        string? link = null;
        int? baud = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--link" when i + 1 < args.Length:
                    link = args[++i];
                    break;
                case "--baud" when i + 1 < args.Length:
                    if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var b) || b <= 0)
                    {
                        return Usage.Fail($"pty: --baud expects a positive number, not '{args[i]}'");
                    }

                    baud = b;
                    break;
                default:
                    if (remote is null && !args[i].StartsWith('-') && RemoteEndPoint.TryParse(args[i], out var r))
                    {
                        remote = r;
                        break;
                    }

                    return Usage.Fail($"pty: unexpected argument '{args[i]}'");
            }
        }

        if (remote is null || link is null)
        {
            return Usage.Fail("pty: expected HOST:PORT and --link PATH");
        }

        using var stop = new CancellationTokenSource();
        using var signals = ClientSignals.CancelOn(stop);
        var bridge = new PtyBridge(remote, link, baud, message => Console.Error.WriteLine($"concentrator pty: {message}"));
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

/// <summary>SIGINT, SIGTERM and SIGHUP cancel a client command instead of killing the process, so it cleans up.</summary>
internal static class ClientSignals
{
    public static IDisposable CancelOn(CancellationTokenSource stop)
    {
        var registrations = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP }
            .Select(s => PosixSignalRegistration.Create(s, context =>
            {
                context.Cancel = true;
                stop.Cancel();
            }))
            .ToArray();
        return new Registrations(registrations);
    }

    private sealed class Registrations(PosixSignalRegistration[] items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var r in items)
            {
                r.Dispose();
            }
        }
    }
}
