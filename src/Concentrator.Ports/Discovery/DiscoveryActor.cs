using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.DeviceLink;

namespace Concentrator.Ports.Discovery;

/// <summary>
/// Rack mode: serves every device whose path matches the configured glob, each on a TCP port that stays the
/// same for the same path (persisted next to the config). New adapters are added live (directory watch, plus a
/// slow rescan as a safety net); an adapter that vanishes keeps its port, which simply goes offline.
/// Directory listings and the state file are read and written off the actor thread.
/// </summary>
public sealed class DiscoveryActor : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan RescanInterval = TimeSpan.FromSeconds(5);

    private readonly DiscoverySettings _settings;
    private readonly IActorRef _supervisor;
    private readonly HashSet<string> _staticDevices;
    private readonly HashSet<string> _staticNames;
    private readonly PortAssignments _assignments;
    private readonly Dictionary<string, string> _served = new(StringComparer.Ordinal); // path -> port name
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal); // path -> name, kept across forgetting
    private readonly Dictionary<string, long> _vanishedAt = new(StringComparer.Ordinal); // Stopwatch timestamps
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private DevicePathWatcher? _watcher;
    private bool _scanning;

    public ITimerScheduler Timers { get; set; } = null!;

    public DiscoveryActor(ConcentratorSettings settings, IActorRef supervisor)
    {
        _settings = settings.Discovery ?? throw new ArgumentException("discovery is not configured", nameof(settings));
        _supervisor = supervisor;
        _staticDevices = [.. settings.Ports.Select(p => DevicePaths.Resolve(p.Device))];
        _staticNames = [.. settings.Ports.Select(p => p.Name)];
        _assignments = new PortAssignments(_settings.BasePort, settings.Ports.SelectMany(p => p.Listeners).Select(l => l.Port));

        Receive<StateLoaded>(loaded =>
        {
            _assignments.Load(loaded.Json);
            Timers.StartPeriodicTimer("rescan", Scan.Instance, TimeSpan.Zero, RescanInterval);
        });
        Receive<Scan>(_ => StartScan());
        Receive<ScanResult>(OnScanResult);
        Receive<Status.Failure>(f =>
        {
            _scanning = false;
            _log.Warning("discovery: {0}", f.Cause.GetBaseException().Message);
        });
        Receive<StateUnreadable>(u =>
        {
            // Without the remembered assignments ports are handed out afresh; discovery must still run.
            _log.Warning("discovery: cannot read {0} ({1}); assigning TCP ports afresh", _settings.StateFile, u.Reason);
            Timers.StartPeriodicTimer("rescan", Scan.Instance, TimeSpan.Zero, RescanInterval);
        });
    }

    public static Props Props(ConcentratorSettings settings, IActorRef supervisor) =>
        Akka.Actor.Props.Create(() => new DiscoveryActor(settings, supervisor));

    protected override void PreStart()
    {
        var stateFile = _settings.StateFile;
        Task.Run(() => File.Exists(stateFile) ? File.ReadAllText(stateFile) : null)
            .PipeTo(Self, success: json => new StateLoaded(json), failure: e => new StateUnreadable(e.GetBaseException().Message));
    }

    protected override void PostStop() => _watcher?.Dispose();

    private void StartScan()
    {
        if (_scanning)
        {
            return;
        }

        _scanning = true;
        var match = _settings.Match;
        Task.Run(() =>
        {
            var dir = Path.GetDirectoryName(match)!;
            var pattern = Path.GetFileName(match);
            var found = Directory.Exists(dir)
                ? Directory.EnumerateFileSystemEntries(dir, pattern)
                    .Where(path => !Path.GetFileName(path).StartsWith('.')) // udev's temporary names ('.#...') are not adapters
                    .Order(StringComparer.Ordinal).ToList()
                : [];
            return new ScanResult(found);
        }).PipeTo(Self);

        // (Re)arm the watch: the directory may have appeared since the last scan.
        _watcher?.Dispose();
        var self = Self;
        _watcher = DevicePathWatcher.TryWatch(match, () => self.Tell(Scan.Instance));
    }

    private void OnScanResult(ScanResult result)
    {
        _scanning = false;
        ForgetVanished(result.Paths);
        var changed = false;
        foreach (var path in result.Paths)
        {
            if (_served.ContainsKey(path) || _staticDevices.Contains(DevicePaths.Resolve(path)))
            {
                continue;
            }

            int tcp;
            try
            {
                tcp = _assignments.Assign(path, out var isNew);
                changed |= isNew;
            }
            catch (InvalidOperationException e)
            {
                _log.Error("discovery: {0}: {1}", path, e.Message);
                continue;
            }

            var listener = _settings.Template.Listeners[0] with { Port = tcp };
            var name = _names.TryGetValue(path, out var known) ? known : _names[path] = UniqueName(Path.GetFileName(path));
            var port = _settings.Template with
            {
                Name = name,
                Device = path,
                Listeners = [listener],
                Log = _settings.Template.Log is { } log
                    ? log with { File = log.File.Replace(ConfigLoader.PortPlaceholder, name, StringComparison.Ordinal) }
                    : null,
            };
            Socket socket;
            try
            {
                socket = Listener.ListenerBinder.Bind(port, listener);
            }
            catch (Listener.ListenerBindException e)
            {
                _log.Error("discovery: {0}", e.Message);
                continue; // tried again on the next scan
            }

            _served[path] = name;
            _log.Info("discovery: serving {0} as port {1} on {2}", path, name, listener);
            _supervisor.Tell(new AddPort(port, [socket]));
        }

        if (changed)
        {
            var json = _assignments.ToJson();
            var stateFile = _settings.StateFile;
            // Written atomically: a crash mid-write must not lose every assignment.
            Task.Run(() =>
            {
                Directory.CreateDirectory(Path.GetDirectoryName(stateFile) ?? ".");
                var temp = stateFile + ".tmp";
                File.WriteAllText(temp, json);
                File.Move(temp, stateFile, overwrite: true);
            }).PipeTo(Self, success: () => StateSaved.Instance);
        }
    }

    /// <summary>
    /// Adapters gone for forget-after stop being ports (their sessions are told and closed); the state file keeps their
    /// TCP port, so one that returns later gets it back. A rescan is due when the next one would be forgotten.
    /// </summary>
    private void ForgetVanished(IReadOnlyList<string> present)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var path in present)
        {
            _vanishedAt.Remove(path);
        }

        if (_settings.ForgetAfter <= TimeSpan.Zero)
        {
            return;
        }

        var soonest = TimeSpan.MaxValue;
        foreach (var (path, name) in _served.Where(s => !present.Contains(s.Key)).ToList())
        {
            var since = _vanishedAt.TryGetValue(path, out var at) ? at : _vanishedAt[path] = now;
            var gone = System.Diagnostics.Stopwatch.GetElapsedTime(since, now);
            if (gone >= _settings.ForgetAfter)
            {
                _served.Remove(path);
                _vanishedAt.Remove(path);
                _log.Info("discovery: forgetting port {0}: {1} gone for {2:0} s (its TCP port stays reserved)", name, path, gone.TotalSeconds);
                _supervisor.Tell(new RemovePort(name, $"was unplugged {gone.TotalSeconds:0} s ago"));
            }
            else if (_settings.ForgetAfter - gone < soonest)
            {
                soonest = _settings.ForgetAfter - gone;
            }
        }

        if (soonest != TimeSpan.MaxValue)
        {
            Timers.StartSingleTimer("forget", Scan.Instance, soonest + TimeSpan.FromMilliseconds(50));
        }
    }

    private string UniqueName(string candidate)
    {
        var name = candidate;
        for (var i = 2; _staticNames.Contains(name); i++)
        {
            name = $"{candidate}-{i}";
        }

        _staticNames.Add(name);
        return name;
    }

    private sealed record StateLoaded(string? Json);

    private sealed record StateUnreadable(string Reason);

    private sealed record ScanResult(IReadOnlyList<string> Paths);

    private sealed record StateSaved
    {
        public static StateSaved Instance { get; } = new();
    }

    private sealed record Scan
    {
        public static Scan Instance { get; } = new();
    }
}

/// <summary>Discovery -> ports supervisor: an adapter has been gone too long; close its port.</summary>
public sealed record RemovePort(string Name, string Reason);

/// <summary>Discovery -> ports supervisor: start a port for a newly found device, on an already bound socket.</summary>
public sealed record AddPort(PortSettings Settings, IReadOnlyList<Socket> ListenSockets);
