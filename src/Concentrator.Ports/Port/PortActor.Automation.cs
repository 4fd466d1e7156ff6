using Akka.Actor;
using Akka.Event;
using Concentrator.Ports.Automation;
using Concentrator.Ports.DataPlane;
using Concentrator.Ports.Management;

namespace Concentrator.Ports.Port;

/// <summary>
/// Automation on the port's output: the always-on <see cref="OutputCapture"/> (fed by the output hub), handed to expect
/// and the output stream after a read check; expect's send written through the data plane after the same check as any
/// action (<see cref="Refuses"/>), with a writer of its own that the port permits (its bytes queue in order with the
/// sessions' like theirs).
/// </summary>
public sealed partial class PortActor
{
    /// <summary>The data plane writer number of the port's automation (sessions count up from 1).</summary>
    private const int AutomationWriter = -1;

    private readonly OutputCapture _capture;
    private DeviceInput? _automationInput;

    private void ReceiveAutomation()
    {
        Receive<OpenCapture>(open =>
        {
            if (!open.By.Unrestricted && _settings.Acl is { } acl && acl.Grant(open.By.Principal) == Security.AclGrant.None)
            {
                Sender.Tell(new ActionRefused(_settings.Name, $"{open.By} may not use port {_settings.Name} (its ACL)"));
                return;
            }

            Sender.Tell(new CaptureOpened(_settings.Name, _capture));
        });
        Receive<SendToPort>(send =>
        {
            if (Refuses(send.By))
            {
                return;
            }

            _automationInput ??= StartAutomationInput();
            var outcome = _automationInput.Write(send.Data);
            if (outcome is WriteOutcome.Discarded or WriteOutcome.NotPermitted)
            {
                Sender.Tell(new PortOffline(_settings.Name, State));
                return;
            }

            _log.Info("port {0}: {1} bytes sent by {2} (expect)", _settings.Name, send.Data.Length, send.By);
            Audited("send", send.By, "ok", ("bytes", Number(send.Data.Length)));
            RecordingMarker($"expect sent {send.Data.Length} bytes by {send.By.Name}");
            Sender.Tell(new Done($"{send.Data.Length} bytes sent"));
        });
    }

    private DeviceInput StartAutomationInput()
    {
        _permits = _permits.With(AutomationWriter, true);
        _plane.SetPermits(_permits);
        var port = _settings.Name;
        var log = _log;
        return _plane.Input(AutomationWriter, (bytes, result) =>
        {
            if (result != WriteResult.Written)
            {
                log.Warning("port {0}: {1} bytes an expect sent were not written: {2}", port, bytes, result);
            }
        });
    }
}
