using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Akka.DistributedData;
using Akka.Hosting.Logging;
using Concentrator.Cluster.Inventory;
using Concentrator.Cluster.Leases;
using Concentrator.Cluster.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Concentrator.Cluster.Membership;

/// <summary>
/// This daemon's membership in the cluster. The cluster runs in an actor system of its own (its transport on
/// <c>cluster.bind</c>), apart from the data plane's: when the split brain resolver downs this node, or it is
/// removed, only that actor system ends; this service starts a new one that joins again, while the ports, their
/// sessions and the lease service carry on untouched in the other. Until it is back it grants no new leases.
/// <para>
/// Thread-safe reads for the API: <see cref="View"/> (membership) and <see cref="Inventory"/> (trusted entries),
/// both replaced whole on every change.
/// </para>
/// </summary>
public sealed partial class ClusterNode : IHostedService
{
    private static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(30);
    private readonly ClusterSettings _settings;
    private readonly Func<Task<LocalNode>> _local;
    private readonly ILoggerFactory _loggers;
    private readonly Type? _loggerType;
    private readonly ILogger _log;
    private readonly object _gate = new();
    private IReadOnlyDictionary<string, NodeInventory> _entries = new Dictionary<string, NodeInventory>();
    private volatile ClusterView _view;
    private volatile InventorySnapshot _inventory = InventorySnapshot.Empty;
    private volatile Incarnation? _current;
    private volatile bool _stopping;
    private LocalNode? _node;
    private ClusterTls? _tls;
    private TimeSpan _restartDelay = TimeSpan.FromSeconds(1);
    private string _conflicts = "";

    public ClusterNode(ClusterSettings settings, Func<Task<LocalNode>> local, ILoggerFactory loggers, Type? loggerType)
    {
        _settings = settings;
        _local = local;
        _loggers = loggers;
        _loggerType = loggerType;
        _log = loggers.CreateLogger<ClusterNode>();
        _view = ClusterView.NotJoined(settings.NodeName);
    }

    public string Name => _settings.NodeName;

    public string Address => $"{_settings.Bind.Host}:{_settings.Bind.Port}";

    /// <summary>Membership as this node sees it now.</summary>
    public ClusterView View => _view;

    /// <summary>The inventory entries of up, reachable members (this node's own included once it is written).</summary>
    public InventorySnapshot Inventory => _inventory;

    /// <summary>The running cluster actor system and its actors, or null while membership restarts.</summary>
    internal Incarnation? Current => _current;

    /// <summary>Raised after every change of <see cref="View"/> or <see cref="Inventory"/> (for the dashboard's live view).</summary>
    public event Action? Changed;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _node = await _local().ConfigureAwait(false);
        _tls = _settings.Tls is { } tls ? new ClusterTls(tls, _log) : null;
        Start(); // a cluster port that cannot be bound stops the daemon at start, like a serial listener's
        LogStarted(_log, _settings.ToString());
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        if (_current is not { } current)
        {
            _tls?.Dispose();
            return;
        }

        // Leave first, so the others remove this node at once instead of waiting for the failure detector.
        var cluster = Akka.Cluster.Cluster.Get(current.System);
        try
        {
            using var leaving = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await cluster.LeaveAsync(leaving.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TaskCanceledException)
        {
        }

        await current.System.Terminate().ConfigureAwait(false);
        _tls?.Dispose();
    }

    private void Start()
    {
        var node = _node!;
        var config = ClusterConfig.Build(_settings, _loggerType)
            .WithFallback(ClusterSingleton.DefaultConfig())
            .WithFallback(DistributedData.DefaultConfig());
        var setup = BootstrapSetup.Create().WithConfig(config).And(new LoggerFactorySetup(_loggers));
        if (_tls is { } tls)
        {
            setup = setup.And(tls.Setup());
        }

        var system = ActorSystem.Create(ClusterConfig.SystemName, setup);
        var cluster = Akka.Cluster.Cluster.Get(system);
        system.ActorOf(MembershipWatcher.Props(_settings.NodeName, OnView), "membership");
        system.ActorOf(InventoryView.Props(OnEntries), "inventory-view");
        system.ActorOf(InventoryPublisher.Props(node), "inventory");
        var gateway = system.ActorOf(NodeGateway.Props(node, () => _view), NodeGateway.Name);
        system.ActorOf(ClusterSingletonManager.Props(TagMatcher.Props(), PoisonPill.Instance, ClusterSingletonManagerSettings.Create(system)),
            TagMatcher.Name);
        var matcher = system.ActorOf(ClusterSingletonProxy.Props($"/user/{TagMatcher.Name}", ClusterSingletonProxySettings.Create(system)),
            TagMatcher.Name + "-proxy");
        var requester = system.ActorOf(TagRequester.Props(matcher), TagRequester.Name);
        if (_settings.Seeds.All(s => $"{s.Host}:{s.Port}" == Address))
        {
            cluster.Join(cluster.SelfAddress); // no seeds but itself: this node starts the cluster at once
        }

        cluster.RegisterOnMemberUp(() =>
        {
            _restartDelay = TimeSpan.FromSeconds(1);
            LogUp(_log, _settings.NodeName);
        });
        var incarnation = new Incarnation(system, gateway, requester);
        _current = incarnation;
        system.WhenTerminated.ContinueWith(_ => Ended(incarnation), TaskScheduler.Default);
    }

    /// <summary>The cluster actor system ended: on purpose (stopping), or because this node was downed or removed.</summary>
    private async Task Ended(Incarnation incarnation)
    {
        if (_current != incarnation)
        {
            return;
        }

        _current = null;
        lock (_gate)
        {
            _view = ClusterView.NotJoined(_settings.NodeName);
            _entries = new Dictionary<string, NodeInventory>();
            _inventory = InventorySnapshot.Empty;
        }

        Changed?.Invoke();
        if (_stopping)
        {
            return;
        }

        while (!_stopping)
        {
            LogRejoining(_log, _settings.NodeName, _restartDelay.TotalSeconds);
            await Task.Delay(_restartDelay).ConfigureAwait(false);
            _restartDelay = TimeSpan.FromTicks(Math.Min(_restartDelay.Ticks * 2, MaxRestartDelay.Ticks));
            try
            {
                if (!_stopping)
                {
                    Start();
                }

                return;
            }
#pragma warning disable CA1031 // any failure to start the cluster part is retried; the data plane must not care
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogRestartFailed(_log, e.Message);
            }
        }
    }

    private void OnView(ClusterView view)
    {
        lock (_gate)
        {
            _view = view;
            _inventory = InventorySnapshot.Visible(_entries, view);
        }

        Changed?.Invoke();
    }

    private void OnEntries(IReadOnlyDictionary<string, NodeInventory> entries)
    {
        InventorySnapshot inventory;
        lock (_gate)
        {
            _entries = entries;
            _inventory = inventory = InventorySnapshot.Visible(entries, _view);
        }

        var conflicts = string.Join("; ", inventory.Conflicts());
        if (conflicts.Length > 0 && conflicts != _conflicts)
        {
            LogConflicts(_log, conflicts); // requests for such a port go to one of them: rename one
        }

        _conflicts = conflicts;
        Changed?.Invoke();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster: {Plan}")]
    private static partial void LogStarted(ILogger logger, string plan);

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster: node {Node} is up")]
    private static partial void LogUp(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster: node {Node} left the cluster (downed or removed); its ports and sessions carry on, membership restarts in {Seconds:0} s")]
    private static partial void LogRejoining(ILogger logger, string node, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster: port names must be unique across the cluster, but several nodes list {Conflicts}")]
    private static partial void LogConflicts(ILogger logger, string conflicts);

    [LoggerMessage(Level = LogLevel.Error, Message = "cluster: membership could not restart: {Problem}; trying again")]
    private static partial void LogRestartFailed(ILogger logger, string problem);
}

/// <summary>One run of the cluster actor system and the actors the API talks to.</summary>
internal sealed record Incarnation(ActorSystem System, IActorRef Gateway, IActorRef TagRequester);
