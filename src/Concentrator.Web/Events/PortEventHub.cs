using System.Collections.Concurrent;
using System.Text.Json;
using Akka.Actor;
using Concentrator.Ports.Management;
using Concentrator.Web.Dashboard;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Concentrator.Web.Events;

/// <summary>
/// Fans port updates out to the open dashboards. A <see cref="PortWatcher"/> actor (started with the first
/// dashboard) listens for <see cref="PortChanged"/> on the event stream, fetches the changed ports' snapshots and
/// hands them here; each update is serialized once, sent only when it differs from the last one sent for that
/// port, and posted to every subscriber's <see cref="UpdateMailbox"/>.
/// </summary>
public sealed class PortEventHub(IServiceProvider services, PortsGateway ports, IOptions<DashboardOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<UpdateMailbox, bool> _subscribers = new();
    private readonly ConcurrentDictionary<string, string> _lastSent = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _starting = new(1, 1);
    private IActorRef? _watcher;

    public int SubscriberCount => _subscribers.Count;

    /// <summary>A new dashboard's mailbox, or null when <see cref="DashboardOptions.MaxEventSubscribers"/> are open.</summary>
    internal async Task<UpdateMailbox?> SubscribeAsync(CancellationToken cancellation)
    {
        await EnsureWatcherAsync(cancellation).ConfigureAwait(false);
        if (_subscribers.Count >= options.Value.MaxEventSubscribers)
        {
            return null;
        }

        var mailbox = new UpdateMailbox();
        _subscribers[mailbox] = true;
        return mailbox;
    }

    internal void Unsubscribe(UpdateMailbox mailbox) => _subscribers.TryRemove(mailbox, out _);

    /// <summary>From the watcher: a port's current snapshot.</summary>
    internal void Publish(PortSnapshot snapshot)
    {
        var json = JsonSerializer.Serialize(PortJson.From(snapshot), DashboardJsonContext.Default.PortJson);
        if (_lastSent.TryGetValue(snapshot.Name, out var last) && last == json)
        {
            return;
        }

        _lastSent[snapshot.Name] = json;
        Post(new PortUpdate(snapshot.Name, json));
    }

    /// <summary>From the watcher: the port is gone.</summary>
    internal void Removed(string port)
    {
        if (_lastSent.TryRemove(port, out _))
        {
            Post(new PortUpdate(port, null));
        }
    }

    /// <summary>From the <see cref="ClusterFeed"/>: the nodes strip and the other nodes' ports changed.</summary>
    internal void PostCluster(string json)
    {
        foreach (var mailbox in _subscribers.Keys)
        {
            mailbox.PostCluster(json);
        }
    }

    private void Post(PortUpdate update)
    {
        foreach (var mailbox in _subscribers.Keys)
        {
            mailbox.Post(update);
        }
    }

    private async Task EnsureWatcherAsync(CancellationToken cancellation)
    {
        if (Volatile.Read(ref _watcher) is not null)
        {
            return;
        }

        await _starting.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            if (_watcher is null)
            {
                var system = services.GetRequiredService<ActorSystem>();
                var supervisor = await ports.SupervisorAsync(cancellation).ConfigureAwait(false);
                Volatile.Write(ref _watcher, system.ActorOf(PortWatcher.Props(supervisor, this, options.Value), "dashboard-port-watcher"));
            }
        }
        finally
        {
            _starting.Release();
        }
    }

    public void Dispose()
    {
        _watcher?.Tell(PoisonPill.Instance);
        _starting.Dispose();
    }
}
