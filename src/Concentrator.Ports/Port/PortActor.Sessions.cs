using Akka.Actor;
using Akka.Event;
using Concentrator.Ports.Admission;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.DataPlane;
using Concentrator.Ports.Session;

namespace Concentrator.Ports.Port;

/// <summary>
/// The port's sessions: a connection becomes a session, joins through <see cref="PortAdmission"/> (the one way in), gets
/// its write permit in the data plane before it hears it was admitted, its replay and live output, and its role; roles
/// move with the write lock, and the overflow policy follows who is the only reader or writer.
/// </summary>
public sealed partial class PortActor
{
    /// <summary>A client connected: its session starts (a TLS handshake, say) and then asks to join with <see cref="JoinPort"/>.</summary>
    private void OnClientConnected(ClientConnected connected)
    {
        var security = connected.Security ?? _security.ForSession(connected.Listener);
        var session = Context.ActorOf(SessionActor.Props(connected.Channel, connected.Listener, _settings, Self, security),
            $"connection-{++_nextConnection}");
        Context.Watch(session);
        _joining[session] = connected.Listener;
        if (connected.Terminal is { } terminal)
        {
            _joiningTerminals[session] = terminal;
        }
    }

    /// <summary>The session's terminal changed size: kept for the session list (a serial line has no window size).</summary>
    private void OnSessionResized(Session.SessionResized resized)
    {
        if (_sessions.TryGetValue(Sender, out var entry))
        {
            entry.Terminal.Size = resized.Size;
        }
    }

    private void OnJoin(JoinPort join)
    {
        if (!_joining.Remove(Sender, out var listener))
        {
            return;
        }

        KeyValuePair<IActorRef, SessionEntry>? oldest = _sessions.Count == 0 ? null : _sessions.MinBy(s => s.Value.Id);
        var oldestMonitor = _sessions.Where(s => !_arbiter.CanWrite(s.Key)).Select(s => (int?)s.Value.Id).Min();
        switch (_admission.Decide(new AdmissionRequest(listener, join.Principal), Occupancy(oldest?.Value.Id, oldestMonitor)))
        {
            case Refuse refuse:
                if (_security.Refusals.ShouldLog(join.Principal.Source, "admission", out var suppressed))
                {
                    _log.Info("port {0}: refused {1} ({2}): {3}{4}", _settings.Name, join.Peer, join.Principal.Name, refuse.Reason,
                        _security.Refusals.Summary(suppressed));
                    Audited("join", join.Principal, "refused", ("reason", refuse.Reason), ("peer", join.Peer), ("suppressed", Suppressed(suppressed)));
                }

                _sessionsRefused++;
                _metrics.Refused(refuse.Code);
                Sender.Tell(new SessionRefused(refuse.Line, refuse.Reason));
                break;
            case Admit admit:
                if (admit.Evict is { } evictId && _sessions.FirstOrDefault(s => s.Value.Id == evictId).Key is { } evicted)
                {
                    _log.Info("port {0}: max-sessions {1} reached; closing session {2}, the oldest {3}, to make room", _settings.Name,
                        _settings.MaxSessions, evictId, admit.MayWrite ? "session" : "that may not write");
                    Leave(evicted);
                    Context.Stop(evicted);
                }

                // Effective access = the listener's narrowed by the ACL: such a session is a read-only one from here on.
                // A lease narrows only for as long as it lasts, so it is left out of that (PortActor.Leases.cs re-decides).
                var request = new AdmissionRequest(listener, join.Principal);
                var narrowedForGood = admit.Role == SessionRole.ReadOnly &&
                    !_admission.MayWrite(request, Occupancy(oldest?.Value.Id) with { Lease = null });
                Join(Sender, narrowedForGood ? listener with { Access = SessionAccess.ReadOnly } : listener, join, admit);
                break;
        }
    }

    private void Join(IActorRef session, ListenerSettings listener, JoinPort join, Admit admit)
    {
        var id = ++_nextSessionId;
        var peer = join.Peer;
        var recorder = BeginRecording(); // subscribed with the session below: the recording has what the session gets
        var entry = new SessionEntry(id, listener, join.Principal, peer, join.Counters, DateTimeOffset.UtcNow, join.Output,
            _plane.Input(id, (bytes, result) => session.Tell(new WriteCompleted(bytes, result)), TypedInto(id)))
        {
            Terminal = _joiningTerminals.Remove(session, out var terminal) ? terminal : new Session.SessionTerminal(),
        };
        _sessionsOpened++;
        _metrics.SessionOpened(listener.Protocol);
        _sessions[session] = entry;
        // The permit first: the session writes as soon as it hears it was admitted, on its own thread.
        var changes = _arbiter.Join(session, admit.MayWrite);
        Permit(entry, _arbiter.CanWrite(session));
        RecordJoin(entry, _arbiter.CanWrite(session)); // before the session may type
        session.Tell(new SessionAdmitted(id, listener.Access == SessionAccess.ReadOnly, entry.Input));

        // Replay goes first, so the session sees the scrollback and then live output with nothing lost or repeated
        // between: it gets every chunk from the subscription on from the reader thread, the scrollback every one before.
        TakeOutput(_output.Subscribe(join.Output, recorder));
        session.Tell(new OutputStart(listener.Replay ? ReplayFor(listener).Data : []));

        if (State == DeviceState.Offline)
        {
            session.Tell(new PortStatusChanged(_settings.Name, DeviceState.Offline, _lastOfflineReason ?? ""));
        }

        var who = join.Principal.Name == Principal.AnonymousName ? "" : $" as {join.Principal.Name}";
        LogMark($"session {id} connected from {peer}{who} ({ListenerSettings.ProtocolName(listener.Protocol)}, " +
            $"{(_arbiter.CanWrite(session) ? "read-write" : "read-only")})");
        Announce(changes, joined: session);
        Changed("session joined");
    }

    /// <summary>
    /// The scrollback, cut to what the session's output queue can hold (a replay must never overflow it). Callers drain
    /// first; a joining session's chunks are taken when it subscribes (a drain here would repeat later ones).
    /// </summary>
    private Replay ReplayFor(ListenerSettings listener)
    {
        var snapshot = _scrollback.Snapshot();
        var limit = (int)Math.Min(int.MaxValue, listener.OutputQueueBytes / 2);
        return new Replay(snapshot.Length <= limit ? snapshot : snapshot[^limit..]);
    }

    private void Leave(IActorRef session)
    {
        if (!_sessions.Remove(session, out var entry))
        {
            return;
        }

        var ending = RecorderEndingWith();
        _output.Unsubscribe(entry.Output, ending);
        RecordLeave(entry, ending is not null);
        Permit(entry, false);
        LogMark($"session {entry.Id} from {entry.Peer} disconnected");
        if (_behind.Remove(session))
        {
            UpdateReadingPause();
        }

        StopWatchingModem(session);

        _metrics.SessionClosed(entry.Listener.Protocol, DateTimeOffset.UtcNow - entry.ConnectedAt);
        _droppedByPastSessions += entry.Counters.Dropped;
        if (_control.OwnerLeft(session) && DeviceReady)
        {
            _plane.Enqueue(ControlCommand(null, null, false));
        }

        Announce(_arbiter.Leave(session), joined: null, reason: PortTexts.Left(entry.Id));
        Changed("session left");
    }

    private void OnWriteLockRequest(WriteLockRequest request)
    {
        if (!_sessions.TryGetValue(Sender, out var entry))
        {
            return;
        }

        var changes = request.Action switch
        {
            WriteLockAction.Force => _arbiter.Force(Sender),
            WriteLockAction.Ask => _arbiter.Ask(Sender),
            _ => _arbiter.Release(Sender),
        };
        Audited("write-lock", entry.Principal, changes.Count == 0 ? "unchanged" : "ok",
            ("session", Number(entry.Id)), ("request", request.Action.ToString().ToLowerInvariant()));
        if (changes.Count == 0)
        {
            // Nothing changed: say where the session stands, so the user is never left guessing.
            Sender.Tell(new RoleChanged(_arbiter.CanWrite(Sender), Standing(Sender, entry), Initial: false));
            return;
        }

        Announce(changes, joined: null, reason: PortTexts.WriteLockAction(request.Action, entry.Id));
        Changed("roles");
    }

    private string Standing(IActorRef session, SessionEntry entry)
    {
        if (entry.Listener.Access == SessionAccess.ReadOnly)
        {
            return PortTexts.ReadOnlyListener;
        }

        if (_arbiter.CanWrite(session))
        {
            return PortTexts.CanWrite;
        }

        if (!_arbiter.IsWaiting(session))
        {
            return PortTexts.ReadOnly;
        }

        var holder = _sessions.FirstOrDefault(s => _arbiter.CanWrite(s.Key) && _arbiter.Policy == WritePolicy.Exclusive).Value;
        return PortTexts.Waiting(holder?.Id, holder?.Peer);
    }

    private void Announce(IReadOnlyList<(IActorRef Session, bool CanWrite)> changes, IActorRef? joined, string reason = "")
    {
        foreach (var (session, canWrite) in changes)
        {
            if (!_sessions.TryGetValue(session, out var entry))
            {
                continue;
            }

            Permit(entry, canWrite); // before the session hears of it: a revoked right writes nothing more
            var initial = session.Equals(joined);
            var why = initial ? Standing(session, entry) : PortTexts.RoleChange(canWrite ? PortTexts.CanWrite : Standing(session, entry), reason);
            session.Tell(new RoleChanged(canWrite, why, initial));
            if (!initial)
            {
                LogMark($"session {entry.Id} is now {(canWrite ? "read-write" : "read-only")}: {reason}");
                RecordingMarker($"role {entry.Principal.Name} (session {entry.Id}): {(canWrite ? "read-write" : "read-only")}: {reason}");
                Audited("role", entry.Principal, "ok", ("session", Number(entry.Id)), ("role", canWrite ? "read-write" : "read-only"), ("reason", reason));
                _log.Info("port {0}: session {1} is now {2}: {3}", _settings.Name, entry.Id, canWrite ? "read-write" : "read-only", reason);
            }
        }

        UpdateOverflow(); // who is the only reader or writer may have changed
    }

    private List<string> DescribeSessions(IActorRef asking)
    {
        var now = DateTimeOffset.UtcNow;
        return _sessions.OrderBy(s => s.Value.Id).Select(s =>
        {
            var e = s.Value;
            var role = _arbiter.CanWrite(s.Key) ? "read-write" : _arbiter.IsWaiting(s.Key) ? "waiting" : "read-only";
            return PortTexts.SessionLine(s.Key.Equals(asking), e.Id, e.Peer, e.Listener.Protocol, role, now - e.ConnectedAt);
        }).ToList();
    }

    /// <summary>
    /// A reader is never dropped for reading: the port's only session, and its only writer, get backpressure (the device
    /// read pauses for them, as with ser2net and socat); the other sessions' listeners' overflow policy applies to them.
    /// </summary>
    private void UpdateOverflow()
    {
        var writers = _sessions.Keys.Count(_arbiter.CanWrite);
        foreach (var (session, entry) in _sessions)
        {
            entry.Output.UseBackpressure(_sessions.Count == 1 || (writers == 1 && _arbiter.CanWrite(session)));
        }
    }

    /// <summary>Swaps the plane's permits for ones where this session may, or may not, write.</summary>
    private void Permit(SessionEntry entry, bool canWrite)
    {
        var permits = _permits.With(entry.Id, canWrite);
        if (!ReferenceEquals(permits, _permits))
        {
            _permits = permits;
            _plane.SetPermits(permits);
        }
    }

    private sealed record SessionEntry(int Id, ListenerSettings Listener, Principal Principal, string Peer, SessionCounters Counters,
        DateTimeOffset ConnectedAt, IDeviceOutputSink Output, DeviceInput Input)
    {
        public Session.SessionTerminal Terminal { get; init; } = new();
    }
}
