using Akka.Actor;
using Akka.Event;
using Concentrator.Ports.Admission;

namespace Concentrator.Ports.Port;

/// <summary>
/// The port's lease: while a scheduler holds it only the holder writes (admission narrows newcomers, see
/// <see cref="LeaseHolderRule"/>); when it changes, every session's write right is decided again and those whose
/// right changed are told at once.
/// </summary>
public sealed partial class PortActor
{
    private PortLease? _lease;

    private void ReceiveLeases()
    {
        Receive<PortLeaseChanged>(OnLeaseChanged);
        Receive<PresentLeaseToken>(OnLeaseTokenPresented);
    }

    /// <summary>A session shows a lease token: it is part of who the session is from now on (a later lease of the same token counts too).</summary>
    private void OnLeaseTokenPresented(PresentLeaseToken presented)
    {
        if (!_sessions.TryGetValue(Sender, out var entry))
        {
            Sender.Tell(new LeaseTokenChecked(false)); // always answered: the session reads its client again only then
            return;
        }

        var updated = entry with { Principal = entry.Principal with { LeaseToken = presented.Token } };
        _sessions[Sender] = updated;
        var holds = _lease?.HasToken(presented.Token) == true;
        _log.Info("port {0}: session {1} presented {2}", _settings.Name, entry.Id,
            holds ? $"the token of lease {_lease!.LeaseId}" : "a lease token that is not the token of this port's lease");
        LogMark($"session {entry.Id} presented {(holds ? "the lease's token" : "a lease token that is not this port's")}");
        Announce(_arbiter.Permit([(Sender, MayWriteNow(updated))]), joined: null,
            reason: $"session {entry.Id} presented the token of lease {_lease?.LeaseId}");
        Changed("roles");
        Sender.Tell(new LeaseTokenChecked(holds));
    }

    private void OnLeaseChanged(PortLeaseChanged changed)
    {
        if (Equals(changed.Lease, _lease))
        {
            return; // the same state sent again (after a reload or a store recovery): nothing to re-decide
        }

        var before = _lease;
        _lease = changed.Lease;
        var what = _lease is { } now
            ? $"leased to {now.Holder} (lease {now.LeaseId}, epoch {now.Epoch})"
            : $"lease {before!.LeaseId} of {before.Holder} ended: {changed.Reason}";
        _log.Info("port {0}: {1}", _settings.Name, what);
        LogMark($"port {what}");
        RecordingMarker($"lease: {what}");
        _security.Audit.Record("lease", (_lease ?? before)?.Holder, null, _settings.Name, _lease is null ? "ended" : "granted", ("detail", what));
        var rights = _sessions.OrderBy(s => s.Value.Id).Select(s => (s.Key, MayWriteNow(s.Value))).ToList();
        Announce(_arbiter.Permit(rights), joined: null, reason: $"port {what}");
    }

    /// <summary>What admission would decide for this session's write right now (its listener, who it is, the lease).</summary>
    private bool MayWriteNow(SessionEntry entry) =>
        _admission.MayWrite(new AdmissionRequest(entry.Listener, entry.Principal), Occupancy(oldest: null));

    /// <param name="oldest">The oldest session, for kick-old at a join.</param>
    /// <param name="oldestMonitor">The oldest session that may not write, likewise (see <see cref="PortOccupancy.OldestMonitor"/>).</param>
    private PortOccupancy Occupancy(int? oldest, int? oldestMonitor = null) => new(_sessions.Count, oldest, _arbiter.IsHeld, _lease, oldestMonitor);
}
