using Akka.Actor;
using Akka.Event;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Management;

namespace Concentrator.Ports.Port;

/// <summary>What operators ask of a port (the management API, the CLI): snapshots and administrative actions.</summary>
public sealed partial class PortActor
{
    private void ReceiveManagement()
    {
        Receive<GetPort>(_ => Sender.Tell(Snapshot()));
        Receive<KickSession>(kick =>
        {
            if (Refuses(kick.By))
            {
                return;
            }

            if (FindSession(kick.Session) is not { } session)
            {
                Sender.Tell(new SessionNotFound(_settings.Name, kick.Session));
                return;
            }

            _log.Info("port {0}: session {1} kicked by {2}", _settings.Name, kick.Session, kick.By);
            Audited("kick", kick.By, "ok", ("session", Number(kick.Session)));
            RecordingMarker($"kick session {kick.Session} by {kick.By.Name}");
            session.Tell(new CloseSession($"disconnected by {kick.By}", $"kicked by {kick.By}"));
            Sender.Tell(new Done($"session {SessionSnapshot.IdOf(_settings.Name, kick.Session)} closed"));
        });
        Receive<SetLine>(set =>
        {
            if (Refuses(set.By))
            {
                return;
            }

            _log.Info("port {0}: line settings changed by {1}", _settings.Name, set.By);
            Audited("line", set.By, "ok", ("change", set.Change.ApplyTo(_line.InEffect).ToString()));
            RecordingMarker($"line {set.Change.ApplyTo(_line.InEffect)} by {set.By.Name}");
            if (_line.Change(set.Change, DeviceReady) is { } wanted)
            {
                ApplyLine(wanted, Sender); // the asker gets the values in effect once applied
                return;
            }

            Sender.Tell(CurrentLineState());
        });
        Receive<SendBreakTo>(brk =>
        {
            if (Refuses(brk.By))
            {
                return;
            }

            if (!DeviceReady)
            {
                Sender.Tell(new PortOffline(_settings.Name, State));
                return;
            }

            _log.Info("port {0}: break sent by {1}", _settings.Name, brk.By);
            Audited("break", brk.By, "ok", ("duration-ms", Number((long)brk.Duration.TotalMilliseconds)));
            RecordingMarker($"break by {brk.By.Name}");
            Run(BreakCommand(brk.Duration));
            Sender.Tell(new Done($"break of {brk.Duration.TotalMilliseconds:0} ms sent"));
        });
        Receive<ForceWriteLock>(force =>
        {
            if (Refuses(force.By))
            {
                return;
            }

            if (FindSession(force.Session) is not { } session)
            {
                Sender.Tell(new SessionNotFound(_settings.Name, force.Session));
                return;
            }

            Audited("write-lock", force.By, "ok", ("session", Number(force.Session)), ("request", "force"));
            Announce(_arbiter.Force(session), joined: null, reason: $"{force.By} gave session {force.Session} the write lock");
            Changed("roles");
            Sender.Tell(new Done($"session {SessionSnapshot.IdOf(_settings.Name, force.Session)} can write"));
        });
    }

    /// <summary>
    /// Whether this port refuses <paramref name="by"/>'s action (then the asker is told why and nothing changes): a
    /// requester that is not unrestricted acts only where it could write itself — the port's ACL grants its principal
    /// read-write, and while the port is leased it holds the lease. Checked here, where the port is, whichever node or
    /// entry point the request came through.
    /// </summary>
    private bool Refuses(Requester by)
    {
        if (by.Unrestricted)
        {
            return false;
        }

        var principal = by.Principal;
        var reason = (_settings.Acl?.Grant(principal) ?? Security.AclGrant.ReadWrite) != Security.AclGrant.ReadWrite
            ? $"{by} may not write to port {_settings.Name} (its ACL)"
            : _lease is { } lease && !lease.IsHeldBy(principal)
                ? $"port {_settings.Name} is leased to {lease.Holder}: only the holder (or an admin) acts on it"
                : null;
        if (reason is null)
        {
            return false;
        }

        _log.Info("port {0}: refused an action of {1}: {2}", _settings.Name, by, reason);
        Audited("action", by, "refused", ("reason", reason));
        Sender.Tell(new ActionRefused(_settings.Name, reason));
        return true;
    }

    private IActorRef? FindSession(int id) => _sessions.FirstOrDefault(s => s.Value.Id == id).Key;

    private PortSnapshot Snapshot()
    {
        var dropped = _droppedByPastSessions;
        var sessions = new List<SessionSnapshot>(_sessions.Count);
        foreach (var (session, e) in _sessions.OrderBy(s => s.Value.Id))
        {
            var role = _arbiter.CanWrite(session) ? "read-write" : _arbiter.IsWaiting(session) ? "waiting" : "read-only";
            dropped += e.Counters.Dropped;
            sessions.Add(new SessionSnapshot(SessionSnapshot.IdOf(_settings.Name, e.Id), e.Id, _settings.Name, e.Peer,
                e.Principal.Name, role, ListenerSettings.ProtocolName(e.Listener.Protocol), e.Listener.ToString(),
                e.Counters.BytesIn, e.Counters.BytesOut, e.Counters.Dropped, e.ConnectedAt) { Terminal = e.Terminal.Size?.ToString() });
        }

        return new PortSnapshot(_settings.Name, _settings.Device, State, _stateSince,
            State == DeviceState.Offline ? _lastOfflineReason : null, _kernelNode, _line.InEffect, ModemLines.From(CurrentLineState()),
            new PortCounters(_output.BytesPublished, _plane.BytesWritten, _plane.BytesDiscarded, dropped, _reopens, _sessionsOpened, _sessionsRefused),
            _settings.TagList, [.. _settings.Listeners.Select(l => l.ToString())], sessions)
        {
            ListenersDown = [.. _listenersDown],
            RaisedTriggers = _raisedTriggers,
            Power = _settings.Power is { } power ? [.. power.Commands.Keys.Order().Select(Concentrator.Ports.Power.PowerActions.Word)] : [],
        };
    }
}
