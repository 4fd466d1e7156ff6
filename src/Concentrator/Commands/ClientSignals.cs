using System.Runtime.InteropServices;

namespace Concentrator.Commands;

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
