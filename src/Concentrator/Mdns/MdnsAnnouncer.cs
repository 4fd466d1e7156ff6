using Concentrator.Ports.Management;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;

namespace Concentrator.Mdns;

/// <summary>
/// Keeps the host's avahi-daemon announcing the ports' listeners (<see cref="MdnsServices"/>): every interval it asks
/// the ports what they serve and, when that changed or avahi-daemon restarted (its entry group is gone), announces the
/// whole set again. Without avahi-daemon it says so once and keeps trying; the ports never wait for it.
/// </summary>
internal sealed partial class MdnsAnnouncer(MdnsSettings settings, PortsGateway ports, ILogger<MdnsAnnouncer> log) : BackgroundService
{
    private AvahiEntryGroup? _group;
    private IReadOnlyList<MdnsService> _announced = [];
    private bool _missingSaid;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.Interval);
        do
        {
            try
            {
                await ReconcileAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is DBusExceptionBase or IOException or System.Net.Sockets.SocketException)
            {
                if (!_missingSaid)
                {
                    LogNoAvahi(log, settings.SystemBus, e.Message);
                    _missingSaid = true;
                }

                await DropGroupAsync().ConfigureAwait(false);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task ReconcileAsync(CancellationToken cancel)
    {
        if (_group is not null && await _group.GetStateAsync().ConfigureAwait(false) is AvahiEntryGroup.State.Failure)
        {
            await DropGroupAsync().ConfigureAwait(false);
        }

        var fresh = _group is null;
        _group ??= await AvahiEntryGroup.CreateAsync(settings.SystemBus).ConfigureAwait(false);
        if (await ports.ListAsync(cancel).ConfigureAwait(false) is not { } list)
        {
            return;
        }

        var wanted = MdnsServices.For(list.Ports, _group.HostName);
        if (!fresh && wanted.SequenceEqual(_announced))
        {
            return;
        }

        await _group.ResetAsync().ConfigureAwait(false);
        foreach (var service in wanted)
        {
            await _group.AddServiceAsync(service.Interface, service.Instance, service.Type, service.Port, service.Txt).ConfigureAwait(false);
        }

        if (wanted.Count > 0)
        {
            await _group.CommitAsync().ConfigureAwait(false);
        }

        _announced = wanted;
        _missingSaid = false;
        LogAnnounced(log, wanted.Count, _group.HostName);
    }

    private async Task DropGroupAsync()
    {
        if (_group is not null)
        {
            await _group.DisposeAsync().ConfigureAwait(false);
            _group = null;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await DropGroupAsync().ConfigureAwait(false); // withdrawn now, not after avahi's TTL
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "mdns: {Count} service(s) announced through avahi-daemon as {Host}.local")]
    private static partial void LogAnnounced(ILogger logger, int count, string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "mdns: avahi-daemon is not reachable on {Bus} ({Reason}); announcing once it is")]
    private static partial void LogNoAvahi(ILogger logger, string bus, string reason);
}

/// <summary>Wires <c>concentrator.mdns</c>.</summary>
public static class MdnsHostingExtensions
{
    /// <summary>Announces the ports through avahi-daemon when <c>concentrator.mdns</c> is on; adds nothing otherwise.</summary>
    public static IServiceCollection AddMdnsAnnouncements(this IServiceCollection services, Ports.Configuration.ConcentratorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.MdnsSettings() is { } mdns)
        {
            services.AddSingleton(mdns);
            services.AddHostedService<MdnsAnnouncer>();
        }

        return services;
    }
}
