using Akka.Actor;
using Akka.Event;
using Concentrator.Devices;
using Concentrator.Ports.DataPlane;
using Concentrator.Ports.DeviceLink;

namespace Concentrator.Ports.Port;

/// <summary>
/// Device work a port decides on: line settings, control lines, breaks and purges, sent to its
/// <see cref="PortDataPlane"/>. A session's request comes in a <see cref="ViaSlot"/> with the place it took in the
/// device queue, so the command lands between the bytes the session wrote before and after it; whatever the port
/// decides, it fills or cancels that slot. Also the hold's grace: how long typed bytes wait for an absent device.
/// </summary>
public sealed partial class PortActor
{
    /// <summary>The longest break any caller (session, API, cluster peer) gets: the line is held for it.</summary>
    public static readonly TimeSpan MaxBreak = TimeSpan.FromSeconds(10);

    private DeviceSlot? _slot; // the slot of the request being handled, if it came with one
    private Timer? _holdGrace; // runs while the device is not online (see StartHoldGrace)

    private void ReceiveDeviceWork()
    {
        Receive<ViaSlot>(via =>
        {
            _slot = via.Slot;
            try
            {
                switch (via.Request)
                {
                    case ChangeLine change:
                        OnChangeLine(change);
                        break;
                    case ChangeControl change:
                        OnChangeControl(change);
                        break;
                    case PulseBreak pulse:
                        OnPulseBreak(pulse);
                        break;
                    case PurgeBuffers purge:
                        OnPurge(purge);
                        break;
                }
            }
            finally
            {
                _slot?.Cancel(); // decided without device work: the queue moves on
                _slot = null;
            }
        });
        Receive<ChangeLine>(OnChangeLine);
        Receive<ChangeControl>(OnChangeControl);
        Receive<PulseBreak>(OnPulseBreak);
        Receive<PurgeBuffers>(OnPurge);
        Receive<LineSettingsApplied>(a =>
        {
            _line.Applied(a.InEffect);
            a.ReplyTo?.Tell(CurrentLineState());
            Changed("line settings");
        });
        Receive<HoldGraceEnded>(_ =>
        {
            StopHoldGrace();
            var before = _plane.BytesDiscarded;
            if (_plane.EndHold() && _plane.BytesDiscarded > before)
            {
                _log.Info("port {0}: the device did not come online within {1:0} s; input typed meanwhile is discarded", _settings.Name,
                    PortDataPlane.HoldGrace.TotalSeconds);
            }
        });
    }

    private void OnChangeLine(ChangeLine change)
    {
        if (IsWritable(Sender) && _line.Change(change, DeviceReady) is { } wanted)
        {
            AuditedSession(Sender, "line", "ok", $"line {wanted}", ("change", wanted.ToString()));
            ApplyLine(wanted, Sender); // answered once the device applied it
            return;
        }

        Sender.Tell(CurrentLineState()); // a query, a no-op, a read-only session, or kept for the device's open
    }

    private void OnChangeControl(ChangeControl change)
    {
        if (IsWritable(Sender) && _control.Change(change.Dtr, change.Rts, change.Break, Sender) && DeviceReady)
        {
            Run(ControlCommand(change.Dtr, change.Rts, change.Break));
        }

        Sender.Tell(CurrentLineState());
    }

    private void OnPulseBreak(PulseBreak pulse)
    {
        if (IsWritable(Sender) && DeviceReady)
        {
            AuditedSession(Sender, "break", "ok", "break", ("duration-ms", Number((long)pulse.Duration.TotalMilliseconds)));
            Run(BreakCommand(pulse.Duration));
        }
    }

    private void OnPurge(PurgeBuffers purge)
    {
        if (IsWritable(Sender) && DeviceReady)
        {
            // Urgent, beside the queue: a purge is what releases a write held by flow control.
            _plane.RunUrgent(new DeviceCommand("purge", d =>
            {
                d.Purge(purge.Target);
                return null;
            }, DeviceCommand.Ignore));
        }

        Sender.Tell(CurrentLineState());
    }

    /// <summary>Line settings for the device: in the slot of the request being handled, or at the queue's tail.</summary>
    private void ApplyLine(LineSettings wanted, IActorRef? replyTo)
    {
        var self = Self;
        var slot = _slot;
        _slot = null;
        _plane.ApplyLine(wanted, slot, (inEffect, _) => self.Tell(new LineSettingsApplied(inEffect ?? wanted, replyTo)));
    }

    /// <summary>The same, as a command to run first when the device comes online (the plane records what is in effect).</summary>
    private DeviceCommand LineCommand(LineSettings wanted, IActorRef? replyTo)
    {
        var self = Self;
        // On failure the device is faulting: the port keeps the wanted settings and reapplies them on reopen.
        return _plane.LineCommand(wanted, (inEffect, _) => self.Tell(new LineSettingsApplied(inEffect ?? wanted, replyTo)));
    }

    private static DeviceCommand ControlCommand(bool? dtr, bool? rts, bool? brk) => new("control lines", d =>
    {
        if (dtr is { } on)
        {
            d.SetDtr(on);
        }

        if (rts is { } r)
        {
            d.SetRts(r);
        }

        if (brk is { } b)
        {
            d.SetBreak(b);
        }

        return null;
    }, DeviceCommand.Ignore);

    /// <summary>A break held on the queue's worker: later writes wait for it, as on a real line. Bounded for every caller.</summary>
    private static DeviceCommand BreakCommand(TimeSpan duration)
    {
        var hold = duration > MaxBreak ? MaxBreak : duration < TimeSpan.Zero ? TimeSpan.Zero : duration;
        return new DeviceCommand("break", d =>
        {
            if (d.SetBreak(true))
            {
                Thread.Sleep(hold); // on the device queue's own thread, never an actor's
                d.SetBreak(false);
            }

            return null;
        }, DeviceCommand.Ignore);
    }

    /// <summary>Device work in the slot of the request being handled, or at the queue's tail.</summary>
    private void Run(DeviceCommand command)
    {
        if (_slot is { } slot)
        {
            _slot = null;
            slot.Fill(command);
            return;
        }

        _plane.Enqueue(command);
    }

    /// <summary>
    /// The device is not online: bytes typed now are held for <see cref="PortDataPlane.HoldGrace"/>, then discarded with a
    /// notice. A .NET timer, not an Akka one: the first use of Akka's scheduler starts its thread and blocks the pool
    /// thread that asked, and with every port asking at once during start the pool starved for seconds.
    /// </summary>
    private void StartHoldGrace()
    {
        if (_holdGrace is null)
        {
            var self = Self;
            _holdGrace = new Timer(_ => self.Tell(HoldGraceEnded.Instance), null, PortDataPlane.HoldGrace, Timeout.InfiniteTimeSpan);
        }
    }

    private void StopHoldGrace()
    {
        _holdGrace?.Dispose();
        _holdGrace = null;
    }

    /// <summary>Port -> itself: the device has been away for the whole grace.</summary>
    private sealed class HoldGraceEnded
    {
        public static readonly HoldGraceEnded Instance = new();
    }
}
