using Akka.Actor;
using Akka.Event;
using Concentrator.Ports.Management;
using Concentrator.Ports.Power;

namespace Concentrator.Ports.Port;

/// <summary>
/// Power control bound to the port: the API, the CLI and a session's escape command ask; the port decides (who may
/// switch it is who may write it: its ACL, and the lease holder while it is leased) and runs the command off its
/// thread, answering when the command ends. Every action and its outcome go to the daemon log, the console log, the
/// audit trail and the port's recording.
/// </summary>
public sealed partial class PortActor
{
    private void ReceivePower()
    {
        Receive<SwitchPower>(request => SwitchPowerFor(request.Action, request.By));
        Receive<SessionPowerRequest>(request =>
        {
            if (!_sessions.TryGetValue(Sender, out var entry))
            {
                return; // a session that already left
            }

            SwitchPowerFor(request.Action, Requester.Limited($"session {entry.Id} ({entry.Principal.Name})", entry.Principal));
        });
        Receive<PowerDone>(done =>
        {
            var result = done.Outcome.Ok ? "ok" : "failed";
            _log.Info("port {0}: power {1} by {2}: {3}: {4}", _settings.Name, PowerActions.Word(done.Action), done.By, result,
                done.Outcome.Output.Trim().ReplaceLineEndings(" | "));
            _consoleLog?.Mark($"power {PowerActions.Word(done.Action)} by {done.By}: {result}: {done.Outcome.Output.Trim()}");
            Audited("power", done.By, result, ("power", PowerActions.Word(done.Action)));
            RecordingMarker($"power {PowerActions.Word(done.Action)} by {done.By.Name}: {result}");
            done.ReplyTo.Tell(new PowerSwitched(_settings.Name, done.Action, done.Outcome.Ok, done.Outcome.Output));
        });
    }

    private void SwitchPowerFor(PowerAction action, Requester by)
    {
        if (Refuses(by))
        {
            return;
        }

        if (_settings.Power is not { } power || !power.Commands.TryGetValue(action, out var argv))
        {
            Sender.Tell(new PowerNotConfigured(_settings.Name, action));
            return;
        }

        _log.Info("port {0}: power {1} asked by {2} ({3})", _settings.Name, PowerActions.Word(action), by, power.Kind);
        _consoleLog?.Mark($"power {PowerActions.Word(action)} asked by {by}");
        var replyTo = Sender;
        PowerRunner.RunAsync(argv, power.Timeout).PipeTo(Self,
            success: outcome => new PowerDone(action, by, replyTo, outcome),
            failure: e => new PowerDone(action, by, replyTo, new PowerOutcome(false, e.Message)));
    }

    private sealed record PowerDone(PowerAction Action, Requester By, IActorRef ReplyTo, PowerOutcome Outcome);
}
