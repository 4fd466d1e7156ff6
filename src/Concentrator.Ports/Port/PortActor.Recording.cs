using Akka.Actor;
using Akka.Event;
using Concentrator.Ports.Admission;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Management;
using Concentrator.Ports.Recording;

namespace Concentrator.Ports.Port;

/// <summary>
/// The port's recording (<see cref="PortRecorder"/>, started with the first session, ended with the last) and its
/// lines in the daemon's audit trail: every action on the port, by whom, and how it ended.
/// </summary>
public sealed partial class PortActor
{
    private PortRecorder? _recorder; // made with the first recording; its thread lives as long as the port

    /// <summary>
    /// A session joins: when the port records and no recording runs, one begins now and the caller subscribes the
    /// recorder returned together with the session, so the recording has exactly the output that session gets.
    /// </summary>
    private PortRecorder? BeginRecording()
    {
        if (_settings.Recording == RecordingMode.Off || _security.Recordings is not { } store || _recorder?.Recording == true)
        {
            return null;
        }

        var log = _log;
        var port = _settings.Name;
        _recorder ??= new PortRecorder(port, store, e => log.Warning("port {0}: recording: {1}", port, e));
        _recorder.Begin(_settings.Recording, $"port {port}");
        return _recorder;
    }

    /// <summary>Where a session's keystrokes go for the recording (every session gets it: a recording may begin later).</summary>
    private Action<byte[]>? TypedInto(int session)
    {
        if (_settings.Recording != RecordingMode.All || _security.Recordings is null)
        {
            return null;
        }

        var recorder = _recorder;
        return recorder is null ? null : data => recorder.Typed(session, data);
    }

    private void RecordJoin(SessionEntry entry, bool canWrite)
    {
        var role = canWrite ? "read-write" : "read-only";
        var protocol = ListenerSettings.ProtocolName(entry.Listener.Protocol);
        _recorder?.Joined(new RecordingParticipant(entry.Principal.Name, entry.Peer, entry.Id, entry.ConnectedAt),
            $"join {entry.Principal.Name} (session {entry.Id}, {protocol}, {role}) from {entry.Peer}");
        Audited("join", entry.Principal, "ok", ("session", Number(entry.Id)), ("role", role), ("protocol", protocol), ("peer", entry.Peer));
    }

    /// <summary>A session left: its leave is marked, and with the last one the recording ends (unsubscribed by the caller first).</summary>
    private void RecordLeave(SessionEntry entry, bool endsRecording)
    {
        if (_recorder?.Recording == true)
        {
            _recorder.Left(entry.Id, entry.Principal.Name);
            if (endsRecording)
            {
                _recorder.End();
            }
        }

        Audited("leave", entry.Principal, "ok", ("session", Number(entry.Id)), ("peer", entry.Peer));
    }

    /// <summary>Whether the session leaving now is the last of a running recording.</summary>
    private PortRecorder? RecorderEndingWith() => _sessions.Count == 0 && _recorder?.Recording == true ? _recorder : null;

    /// <summary>A marker in the running recording (nothing when none runs).</summary>
    private void RecordingMarker(string text) => _recorder?.Marker(text);

    private void EndRecordingAtStop()
    {
        if (_recorder?.Recording == true)
        {
            _recorder.Marker($"port {_settings.Name} stopped");
            _recorder.End();
        }

        _recorder?.Dispose();
    }

    /// <summary>An action of a session's principal, in the audit trail.</summary>
    private void Audited(string action, Principal principal, string outcome, params (string Key, string? Value)[] details) =>
        _security.Audit.Record(action, principal, _settings.Name, outcome, details);

    /// <summary>An action of a management requester (API, CLI, dashboard, another node), in the audit trail, named as its logs name it.</summary>
    private void Audited(string action, Requester by, string outcome, params (string Key, string? Value)[] details) =>
        _security.Audit.Record(action, by.Display, null, _settings.Name, outcome, details);

    /// <summary>A session's own action (its escape commands, RFC 2217 line changes, a telnet break).</summary>
    private void AuditedSession(IActorRef session, string action, string outcome, string marker, params (string Key, string? Value)[] details)
    {
        if (_sessions.TryGetValue(session, out var entry))
        {
            RecordingMarker($"{marker} by {entry.Principal.Name} (session {entry.Id})");
            Audited(action, entry.Principal, outcome, [("session", Number(entry.Id)), .. details]);
        }
    }

    private static string Number(long n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>How many like refusals the throttle did not write (null: none, and no field).</summary>
    private static string? Suppressed(int n) => n > 0 ? Number(n) : null;
}
