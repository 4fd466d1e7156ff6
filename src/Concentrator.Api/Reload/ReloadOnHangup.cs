using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Concentrator.Api.Reload;

/// <summary>
/// SIGHUP reloads the config, as daemons conventionally do (systemctl reload, kill -HUP). Without this handler the
/// runtime's default for SIGHUP would end the process.
/// </summary>
public sealed partial class ReloadOnHangup(ConfigReloader reloader, ILogger<ReloadOnHangup> log) : IHostedService, IDisposable
{
    private PosixSignalRegistration? _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsWindows())
        {
            _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true; // handled: do not terminate
                _ = Task.Run(ReloadAsync);
            });
        }

        return Task.CompletedTask;
    }

    private async Task ReloadAsync()
    {
        // Applied reloads and refusals are logged by the ports supervisor and the reloader; here only what else happened.
        switch (await reloader.ReloadAsync("SIGHUP", CancellationToken.None).ConfigureAwait(false))
        {
            case ReloadApplied { Changes.Notes.Count: > 0 } applied:
                LogNotes(log, string.Join("; ", applied.Changes.Notes));
                break;
            case ReloadUnanswered unanswered:
                LogUnanswered(log, unanswered.Detail);
                break;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _registration?.Dispose();
        _registration = null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "reload by SIGHUP: {Notes}")]
    private static partial void LogNotes(ILogger logger, string notes);

    [LoggerMessage(Level = LogLevel.Error, Message = "reload by SIGHUP failed: {Detail}")]
    private static partial void LogUnanswered(ILogger logger, string detail);
}
