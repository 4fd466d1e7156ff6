using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace Concentrator.Hosting;

/// <summary>
/// The sd_notify protocol for a <c>Type=notify</c> systemd unit (packaging/systemd/concentrator.service):
/// <c>READY=1</c> once the host has started, <c>STOPPING=1</c> when shutdown begins. The datagrams are sent by
/// Microsoft.Extensions.Hosting.Systemd's <see cref="SystemdNotifier"/> to the socket named by <c>NOTIFY_SOCKET</c>.
/// </summary>
/// <remarks>
/// Why not <see cref="SystemdHostBuilderExtensions.AddSystemd"/>: in 10.0.x it registers its lifetime only when the
/// parent process is systemd (or the process is PID 1 in a container), and then it also (a) switches the console log
/// to its own format, overriding <c>--log-format</c>, and (b) replaces the console lifetime with one that handles
/// SIGTERM only, so Ctrl-C would no longer stop the daemon cleanly. Here the trigger is <c>NOTIFY_SOCKET</c> itself
/// (systemd sets it for every <c>Type=notify</c> unit), the log format stays what the user chose, and SIGINT/SIGTERM/SIGQUIT keep stopping the daemon the same way with or without
/// systemd. Without <c>NOTIFY_SOCKET</c> nothing is registered.
/// <para>
/// When <c>READY=1</c> is sent, every listener socket was bound before the host was built (ServeCommand), and every
/// hosted service has started: the actor system with its port tree (and any HTTP endpoint). A client that connects
/// then is served; the devices themselves may still be opening, or absent, which is not a reason to delay readiness.
/// </para>
/// </remarks>
public static class SystemdNotify
{
    /// <summary>The environment variable systemd sets to the notification socket of a <c>Type=notify</c> unit.</summary>
    public const string SocketVariable = "NOTIFY_SOCKET";

    /// <summary>Sends READY=1 / STOPPING=1 to <c>NOTIFY_SOCKET</c> when it is set; does nothing otherwise.</summary>
    public static IServiceCollection AddSystemdNotify(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!OperatingSystem.IsLinux() || string.IsNullOrEmpty(Environment.GetEnvironmentVariable(SocketVariable)))
        {
            return services;
        }

        services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
        services.AddHostedService<NotifyOnLifetimeEvents>();
        return services;
    }

    /// <summary>Ties the notifications to the host's lifetime events.</summary>
    private sealed class NotifyOnLifetimeEvents(IHostApplicationLifetime lifetime, ISystemdNotifier notifier) : IHostedService, IDisposable
    {
        private CancellationTokenRegistration _started;
        private CancellationTokenRegistration _stopping;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            // ApplicationStarted fires after every hosted service's StartAsync has completed, this one's included.
            _started = lifetime.ApplicationStarted.Register(() => notifier.Notify(ServiceState.Ready));
            _stopping = lifetime.ApplicationStopping.Register(() => notifier.Notify(ServiceState.Stopping));
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
            _started.Dispose();
            _stopping.Dispose();
        }
    }
}
