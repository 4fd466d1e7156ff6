using Akka.Actor;
using Akka.Event;
using Concentrator.Devices;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.DataPlane;
using Concentrator.Ports.Metrics;
using Concentrator.Ports.Upstream;

namespace Concentrator.Ports.DeviceLink;

/// <summary>
/// Owns one open device and brings it back when it goes away. On a fault (unplug, I/O error) or a failed open it
/// reports the port offline, closes everything, and retries with exponential backoff and jitter — or at once when
/// a watch on the device path sees it reappear (a replugged USB adapter is back within about 100 ms). All state
/// worth keeping (line settings, sessions) lives in the port actor, so a device restart never touches a session.
/// This is the only place that times reopens; the port actor restarts the link should it ever crash.
/// </summary>
/// <remarks>
/// States: WaitingForSettings -> Opening -> Online -> Offline -> WaitingForSettings ... Each (re)open starts with
/// <see cref="LinkReady"/> (also from PreStart, so a restarted link re-syncs) and the port hands over the settings
/// in effect now (including those a client set).
/// Opening runs on a pool thread, reading on the pump's thread; writes, commands and modem reads go through the
/// port's <see cref="PortDataPlane"/>, which this link tells before it closes a device.
/// </remarks>
public sealed class DeviceLinkActor : ReceiveActor, IWithTimers
{
    /// <summary>
    /// How often modem inputs are read on devices that have them, while some session wants them (<see cref="WatchModem"/>:
    /// an RFC 2217 client that asked for modem state); a port nobody watches never reads them after the open.
    /// </summary>
    private static readonly TimeSpan ModemPollInterval = TimeSpan.FromMilliseconds(100);

    private readonly PortSettings _settings;
    private readonly IActorRef _port;
    private readonly PortMetrics _metrics;
    private readonly Action<byte[]> _onData;
    private readonly PortDataPlane _plane;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Lock _gate = new();
    private bool _stopped;
    private ISerialDevice? _opened;
    private DevicePump? _pump;
    private ModemStatus? _modem;
    private bool _modemPollPending;
    private bool _modemWanted; // some session wants modem-input changes (told by the port)
    private bool _modemReadable; // the open device has modem inputs
    private int _attempt;
    private DevicePathWatcher? _watcher;
    private bool _readingPaused;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="settings">The port's settings (device path, backend, reopen backoff).</param>
    /// <param name="port">The port actor: told of every state change.</param>
    /// <param name="onData">Called on the reader thread with each chunk read (the port's <see cref="Port.DeviceOutputHub"/>).</param>
    /// <param name="metrics">The port's metrics (modem polls are counted).</param>
    /// <param name="plane">The port's data plane: the open device's writes and commands (modem reads too) go through it.</param>
    public DeviceLinkActor(PortSettings settings, IActorRef port, Action<byte[]> onData, PortMetrics metrics, PortDataPlane plane)
    {
        _settings = settings;
        _port = port;
        _onData = onData;
        _metrics = metrics;
        _plane = plane;
        Become(WaitingForSettings);
    }

    public static Props Props(PortSettings settings, IActorRef port, Action<byte[]> onData, PortMetrics metrics, PortDataPlane plane) =>
        Akka.Actor.Props.Create(() => new DeviceLinkActor(settings, port, onData, metrics, plane));

    protected override void PreStart() => _port.Tell(new LinkReady());

    private void WaitingForSettings()
    {
        Receive<OpenDevice>(open =>
        {
            BeginOpen(open);
            Become(Opening);
        });
        ReceiveAny(Unavailable);
    }

    private void Opening()
    {
        Receive<Opened>(opened =>
        {
            var self = Self;
            DevicePump? pump = null;
            pump = new DevicePump(opened.Device, _onData, e => self.Tell(new Faulted(pump!, e)));
            _pump = pump;
            lock (_gate)
            {
                _opened = null; // the pump owns the device now
            }

            _pump.PauseReading(_readingPaused);
            _pump.Start();
            _attempt = 0;
            _port.Tell(new DeviceOnline(opened.Device.KernelNode, opened.InEffect, opened.Device.Capabilities, opened.Device));
            _modemReadable = (opened.Device.Capabilities & DeviceCapabilities.ModemStatus) != 0;
            if (opened.Modem is { } modem)
            {
                _modem = modem; // read once at open, so the port's snapshot shows the lines even if nobody watches them
                _port.Tell(new DeviceModemStatus(modem));
            }

            UpdateModemPoll();

            Become(Online);
        });
        Receive<OpenFailed>(failed => GoOffline(failed.Reason));
        ReceiveAny(Unavailable);
    }

    private void Offline()
    {
        Receive<Retry>(_ =>
        {
            StopWatching();
            Timers.Cancel("retry");
            _port.Tell(new LinkReady());
            Become(WaitingForSettings);
        });
        ReceiveAny(Unavailable);
    }

    private void GoOffline(string reason)
    {
        Timers.Cancel("modem");
        _modemReadable = false;
        _modemPollPending = false;
        _modem = null;
        var lostNode = _pump?.Device.KernelNode;
        if (_pump is not null)
        {
            _plane.Offline(_pump.Device); // nothing more is written to it before it closes
        }

        _pump?.Dispose();
        _pump = null;

        // Watch before saying offline, so a replug right after the unplug is never missed.
        var delay = BackoffDelay(_attempt++);
        if (DeviceAddress.IsNode(_settings.Device))
        {
            var self = Self;
            _watcher = DevicePathWatcher.TryWatch(_settings.Device, () => self.Tell(Retry.Instance));
            if (lostNode is not null && DevicePaths.Resolve(_settings.Device) is var now && now != lostNode && File.Exists(now))
            {
                delay = TimeSpan.Zero; // the path already leads to a new node: the device came back before we looked
            }
        }

        Timers.StartSingleTimer("retry", Retry.Instance, delay);
        _port.Tell(new DeviceOffline(reason));
        Become(Offline);
    }

    /// <summary>min * 2^attempt, capped at max, with +-20% jitter so a rack of ports does not retry in lockstep.</summary>
    private TimeSpan BackoffDelay(int attempt)
    {
        var min = _settings.ReopenMinBackoff.TotalMilliseconds;
        var max = _settings.ReopenMaxBackoff.TotalMilliseconds;
        var delay = Math.Min(max, min * Math.Pow(2, Math.Min(attempt, 30)));
        return TimeSpan.FromMilliseconds(delay * (0.8 + (Random.Shared.NextDouble() * 0.4)));
    }

    /// <summary>Polls the modem inputs while the device has them and some session wants them; otherwise not at all.</summary>
    private void UpdateModemPoll()
    {
        if (_modemReadable && _modemWanted)
        {
            if (!Timers.IsTimerActive("modem"))
            {
                Timers.StartPeriodicTimer("modem", PollModem.Instance, TimeSpan.Zero, ModemPollInterval);
            }
        }
        else
        {
            Timers.Cancel("modem");
        }
    }

    private void StopWatching()
    {
        _watcher?.Dispose();
        _watcher = null;
    }

    private void Online()
    {
        Receive<PauseReading>(pause =>
        {
            _readingPaused = pause.Pause;
            Pump.PauseReading(pause.Pause);
        });
        Receive<PollModem>(_ =>
        {
            if (_modemPollPending)
            {
                return; // the device queue is busy (a long write); do not pile up polls behind it
            }

            _modemPollPending = true;
            _metrics.ModemPolled();
            var self = Self;
            _plane.Enqueue(new DeviceCommand("modem read", d => d.ReadModemStatus(), (status, _) => self.Tell(new ModemRead(status as ModemStatus?))));
        });
        Receive<WatchModem>(watch =>
        {
            _modemWanted = watch.Watch;
            UpdateModemPoll();
        });
        Receive<ModemRead>(read =>
        {
            _modemPollPending = false;
            if (read.Status is { } status && status != _modem)
            {
                _modem = status;
                _port.Tell(new DeviceModemStatus(status));
            }
        });
        Receive<Faulted>(f =>
        {
            if (ReferenceEquals(f.Pump, _pump))
            {
                GoOffline(Describe(f.Error));
            }
        });
        Receive<DeviceWriteFailed>(f =>
        {
            if (ReferenceEquals(f.Device, _pump?.Device))
            {
                GoOffline(Describe(f.Error));
            }
        });
    }

    private DevicePump Pump => _pump ?? throw new InvalidOperationException("device link is online without a pump");

    private void Unavailable(object message)
    {
        // Settings for the next open are kept; anything else is about a device that is not open.
        switch (message)
        {
            case PauseReading pause:
                _readingPaused = pause.Pause; // applied to the pump when the device is open
                break;
            case WatchModem watch:
                _modemWanted = watch.Watch; // applied when the device is open
                break;
            case DeviceWriteFailed:
                break; // a device already closed
            default:
                Unhandled(message);
                break;
        }
    }

    private void BeginOpen(OpenDevice open)
    {
        var settings = _settings;
        Task.Run(() =>
        {
            var device = DeviceOpener.Open(settings.Device, settings.Backend, open.Line);
            LineSettings inEffect;
            ModemStatus? modem;
            try
            {
                inEffect = device.Apply(open.Line);
                device.SetDtr(open.Dtr);
                device.SetRts(open.Rts);
                modem = (device.Capabilities & DeviceCapabilities.ModemStatus) != 0 ? device.ReadModemStatus() : null;
            }
            catch
            {
                device.Dispose(); // never leak the fd (and its exclusive lock) of a device that failed half-way
                throw;
            }

            lock (_gate)
            {
                if (_stopped)
                {
                    device.Dispose();
                    throw new OperationCanceledException("device link stopped while opening");
                }

                _opened = device;
            }

            return new Opened(device, inEffect, modem);
        }).PipeTo(Self, success: o => o, failure: e => new OpenFailed(Describe(e)));
    }

    private static string Describe(Exception e) =>
        (e is AggregateException { InnerException: { } inner } ? inner : e).Message;

    protected override void PostStop()
    {
        lock (_gate)
        {
            _stopped = true;
        }

        if (_pump is not null)
        {
            _plane.Offline(_pump.Device);
            _pump.Dispose();
        }
        else
        {
            _opened?.Dispose();
        }

        StopWatching();
        _log.Debug("device link for {0} stopped", _settings.Name);
    }

    private sealed record Opened(ISerialDevice Device, LineSettings InEffect, ModemStatus? Modem);

    private sealed record OpenFailed(string Reason);

    private sealed record Faulted(DevicePump Pump, Exception Error);

    private sealed record ModemRead(ModemStatus? Status);


    private sealed record Retry
    {
        public static Retry Instance { get; } = new();
    }

    private sealed record PollModem
    {
        public static PollModem Instance { get; } = new();
    }
}
