using Akka.Actor;
using Akka.Event;
using Concentrator.Ports.Automation;

namespace Concentrator.Ports.Port;

/// <summary>
/// The port's triggers: a <see cref="TriggerWatcher"/> runs the pure <see cref="TriggerBook"/> over the capture off the
/// port's threads and tells the decisions here, where the port acts: the counter, a bookmark in the console log, the
/// lease revoked (through the lease service), and the slow actions (webhook, command) handed to
/// <see cref="TriggerActions"/>. A reload that changes the triggers starts a new book from the output's current end.
/// </summary>
public sealed partial class PortActor
{
    private TriggerWatcher? _triggerWatcher;
    private TriggerActions? _triggerActions;
    private int _triggerGeneration;
    private IReadOnlyList<string> _raisedTriggers = [];

    private void ReceiveTriggers() => Receive<TriggersDecided>(decided =>
    {
        if (decided.Generation == _triggerGeneration)
        {
            OnTriggersDecided(decided.Decisions);
        }
    });

    /// <summary>Watches the output from <paramref name="from"/> with the settings' triggers (none: nothing runs).</summary>
    private void StartTriggers(long from)
    {
        StopTriggers();
        _raisedTriggers = [];
        if (_settings.Triggers.Count == 0)
        {
            return;
        }

        var self = Self;
        var generation = ++_triggerGeneration;
        var log = _log;
        var port = _settings.Name;
        _triggerActions = new TriggerActions(port, text => log.Info("port {0}: {1}", port, text));
        _triggerWatcher = new TriggerWatcher(_capture, new TriggerBook(_settings.Triggers), from,
            decisions => self.Tell(new TriggersDecided(generation, decisions)),
            e =>
            {
                if (e is TimeoutException)
                {
                    log.Warning("port {0}: triggers: {1}", port, e.Message); // one window skipped, the watcher goes on
                }
                else
                {
                    log.Error(e, "port {0}: the trigger watcher stopped", port);
                }
            });
    }

    private void StopTriggers()
    {
        _triggerGeneration++;
        _triggerWatcher?.Dispose();
        _triggerWatcher = null;
        _triggerActions?.Dispose();
        _triggerActions = null;
    }

    private void OnTriggersDecided(IReadOnlyList<TriggerDecision> decisions)
    {
        var raised = _raisedTriggers.ToHashSet(StringComparer.Ordinal);
        foreach (var decision in decisions)
        {
            if (_settings.Triggers.FirstOrDefault(t => t.Name == decision.Trigger) is not { } trigger)
            {
                continue;
            }

            if (decision.Event != TriggerEvent.Cleared)
            {
                TriggerMetrics.Matched(_settings.Name, trigger.Name);
            }

            if (decision.Event == TriggerEvent.Suppressed)
            {
                _log.Debug("port {0}: trigger {1} matched at {2}, held back by at-most", _settings.Name, trigger.Name, decision.Start);
                continue;
            }

            var state = decision.Event == TriggerEvent.Raised ? "raised" : "cleared";
            _log.Info("port {0}: trigger {1} {2} by \"{3}\" at {4}", _settings.Name, trigger.Name, state, decision.Match, decision.Start);
            LogMark($"trigger {trigger.Name} {state}: \"{decision.Match}\" at offset {decision.Start}");
            if (trigger.Clear is not null) // a rule without one fires on each match: an event, never a state
            {
                _ = decision.Event == TriggerEvent.Raised ? raised.Add(trigger.Name) : raised.Remove(trigger.Name);
            }

            if (trigger.Webhook is { } url)
            {
                _triggerActions?.Webhook(url, decision);
            }

            if (decision.Event != TriggerEvent.Raised)
            {
                continue;
            }

            if (trigger.Command is { Count: > 0 } argv)
            {
                _triggerActions?.Command(argv, decision);
            }

            if (trigger.RevokeLease && _lease is { } lease)
            {
                _log.Info("port {0}: trigger {1} revokes lease {2} of {3}", _settings.Name, trigger.Name, lease.LeaseId, lease.Holder);
                Context.System.EventStream.Publish(new RevokeLeaseForTrigger(_settings.Name, lease.LeaseId, trigger.Name));
            }
        }

        var now = raised.Order(StringComparer.Ordinal).ToList();
        if (!now.SequenceEqual(_raisedTriggers))
        {
            _raisedTriggers = now;
            Changed("triggers");
        }
    }
}
