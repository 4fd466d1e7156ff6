using Akka.Actor;
using Akka.Event;
using Concentrator.Ports.Admission;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.ConsoleLog;
using Concentrator.Ports.Listener;
using Concentrator.Ports.Sharing;

namespace Concentrator.Ports.Port;

/// <summary>
/// A reload, as one port sees it: new settings applied in place so sessions stay connected (a new device reopens
/// through a new link, like an unplug; new listeners start, removed ones stop; limits and texts apply to new
/// sessions), or the port closes because it left the configuration.
/// </summary>
public sealed partial class PortActor
{
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(3);

    private void ReceiveReconfiguration()
    {
        Receive<Reconfigure>(OnReconfigure);
        Receive<ClosePort>(OnClosePort);
    }

    private void OnReconfigure(Reconfigure reconfigure)
    {
        var before = _settings;
        var after = reconfigure.Settings;
        var keys = PortSettingsDiff.Keys(before, after);
        _settings = after;
        _admission = new PortAdmission(after);

        ReconfigureListeners(before, after, reconfigure.NewSockets);
        if (PortSettingsDiff.NeedsNewLink(before, after))
        {
            Context.Stop(_linkChild);
            _link = null;
            _plane.Opening();
            StartHoldGrace();
            SetState(DeviceState.Opening);
            Become(Opening);
            Broadcast(new PortStatusChanged(after.Name, DeviceState.Opening, $"device is now {after.Device}"));
            StartLink();
        }

        if (before.Line != after.Line)
        {
            var line = after.Line;
            var change = new ChangeLine(line.BaudRate, line.DataBits, line.Parity, line.StopBits, line.FlowControl);
            if (_line.Change(change, DeviceReady) is { } wanted)
            {
                ApplyLine(wanted, null);
            }
        }

        if (before.WritePolicy != after.WritePolicy)
        {
            ChangeWritePolicy(after.WritePolicy);
        }

        if (!Equals(before.Acl, after.Acl))
        {
            ReapplyAcl(after.Acl); // see PortActor.Security.cs
        }

        if (!before.Triggers.SequenceEqual(after.Triggers))
        {
            StartTriggers(from: _capture.End); // a new book: rules apply to output from now on
        }

        if (before.Scrollback != after.Scrollback)
        {
            DrainOutput();
            var kept = _scrollback.Snapshot();
            _scrollback = new Scrollback(after.Scrollback);
            _scrollback.Append(kept);
        }

        if (before.Log != after.Log)
        {
            LogMark($"console log reconfigured{(after.Log is null ? ": off" : " to " + after.Log.File)}");
            _consoleLog?.Dispose();
            _consoleLog = null;
            OpenConsoleLog();
        }

        _log.Info("port {0}: reconfigured ({1}); {2} session(s) kept", after.Name, string.Join(", ", keys), _sessions.Count);
        Changed("reconfigured");
    }

    private void ReconfigureListeners(PortSettings before, PortSettings after, IReadOnlyDictionary<System.Net.IPEndPoint, System.Net.Sockets.Socket> newSockets)
    {
        foreach (var gone in before.Listeners.Where(b => !after.Listeners.Any(a => a.EndPoint.Equals(b.EndPoint))))
        {
            if (_listeners.Remove(gone.EndPoint, out var listener))
            {
                Context.Stop(listener); // closes its socket; sessions it accepted stay
            }
        }

        foreach (var wanted in after.Listeners)
        {
            if (_listeners.TryGetValue(wanted.EndPoint, out var listener))
            {
                if (!before.Listeners.Contains(wanted))
                {
                    listener.Tell(new UpdateListener(wanted)); // same socket, new protocol/access/queue for new sessions
                }
            }
            else if (newSockets.TryGetValue(wanted.EndPoint, out var socket))
            {
                StartListener(wanted, socket);
            }
        }
    }

    /// <summary>A new write policy: every session joins a new arbiter in the order it came; those whose right changed are told.</summary>
    private void ChangeWritePolicy(WritePolicy policy, string? reason = null)
    {
        var could = _sessions.Keys.ToDictionary(s => s, _arbiter.CanWrite);
        _arbiter = new WriteArbiter<IActorRef>(policy);
        foreach (var (session, entry) in _sessions.OrderBy(s => s.Value.Id))
        {
            _arbiter.Join(session, MayWriteNow(entry)); // the listener's access as narrowed by the lease
        }

        var changes = could.Where(c => c.Value != _arbiter.CanWrite(c.Key)).Select(c => (c.Key, !c.Value)).ToList();
        Announce(changes, joined: null, reason: reason ?? $"write policy is now {policy.ToString().ToLowerInvariant()}");
    }

    private void OnClosePort(ClosePort close)
    {
        _log.Info("port {0}: closing ({1}); {2} session(s) told", _settings.Name, close.Reason, _sessions.Count);
        foreach (var listener in _listeners.Values)
        {
            Context.Stop(listener);
        }

        _listeners.Clear();
        foreach (var session in _sessions.Keys.Concat(_joining.Keys))
        {
            session.Tell(new CloseSession($"port {_settings.Name} {close.Reason}", close.Reason));
        }

        Become(Closing);
        StopWhenSessionsGone();
        Timers.StartSingleTimer("close", PoisonPill.Instance, CloseGrace); // sessions that cannot say goodbye in time are stopped with it
    }

    /// <summary>Leaving the configuration: only sessions ending matter now; the port stops when the last one has gone.</summary>
    private void Closing()
    {
        Receive<Terminated>(t =>
        {
            _joining.Remove(t.ActorRef);
            Leave(t.ActorRef);
            StopWhenSessionsGone();
        });
        Receive<ViaSlot>(via => via.Slot.Cancel()); // the device queue never waits on a port that is leaving
        ReceiveAny(_ => { });
    }

    private void StopWhenSessionsGone()
    {
        if (_sessions.Count == 0 && _joining.Count == 0)
        {
            Context.Stop(Self);
        }
    }

    private void OpenConsoleLog()
    {
        if (_settings.Log is { } log)
        {
            var logger = _log;
            var port = _settings.Name;
            _consoleLog = new ConsoleLogWriter(log, onError: e => logger.Warning("port {0}: console log {1}: {2}", port, log.File, e));
            _consoleLog.Mark($"port {_settings.Name} serving {_settings.Device}");
        }
    }
}
