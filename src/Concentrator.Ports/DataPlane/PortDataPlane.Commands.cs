using Concentrator.Devices;

namespace Concentrator.Ports.DataPlane;

/// <summary>Device commands from the port and the link: at the queue's tail, in a session's slot, or urgent beside the queue.</summary>
public sealed partial class PortDataPlane
{
    /// <summary>Port work for the device at the queue's tail; answered at once with an error when the device is not online.</summary>
    public void Enqueue(DeviceCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        lock (_gate)
        {
            if (_device is not null && !_disposed)
            {
                _queue.AddLast(new CommandOperation(command));
                WakeWorkerLocked();
                return;
            }
        }

        command.Done(null, new ObjectDisposedException("device", "the device is not online"));
    }

    /// <summary>
    /// Applies line settings: in the queue (in <paramref name="slot"/> when a session asked, else at the tail), or at once
    /// when only flow control changes (urgent, see the remarks). <paramref name="done"/> gets the settings in effect.
    /// </summary>
    public void ApplyLine(LineSettings wanted, DeviceSlot? slot, Action<LineSettings?, Exception?> done)
    {
        ArgumentNullException.ThrowIfNull(done);
        FlowOverride flowThen;
        bool urgent;
        lock (_gate)
        {
            urgent = _lineInEffect is { } current && current.FlowControl != wanted.FlowControl && current with { FlowControl = wanted.FlowControl } == wanted;
            if (urgent)
            {
                _flow = new FlowOverride(_flow.Generation + 1, wanted.FlowControl);
            }

            flowThen = _flow;
        }

        var applied = Applied(done);
        if (urgent)
        {
            slot?.Cancel();
            RunUrgent(new DeviceCommand("flow control", d => d.Apply(wanted), applied));
            return;
        }

        // Queued behind earlier work; a flow-control change made urgently since then wins over this request's.
        var command = new DeviceCommand("line settings", d => d.Apply(WithNewerFlow(wanted, flowThen.Generation)), applied);
        if (slot is not null)
        {
            slot.Fill(command);
        }
        else
        {
            Enqueue(command);
        }
    }

    /// <summary>
    /// Line settings as a command of its own, for the list a port hands to <see cref="Online"/> (settings a client
    /// changed while the device opened): applied like <see cref="ApplyLine"/>'s, so the plane knows what is in effect.
    /// </summary>
    public DeviceCommand LineCommand(LineSettings wanted, Action<LineSettings?, Exception?> done)
    {
        ArgumentNullException.ThrowIfNull(done);
        return new DeviceCommand("line settings", d => d.Apply(wanted), Applied(done));
    }

    /// <summary>Records what the device says is in effect, then tells <paramref name="done"/>.</summary>
    private Action<object?, Exception?> Applied(Action<LineSettings?, Exception?> done) => (result, error) =>
    {
        if (result is LineSettings inEffect)
        {
            lock (_gate)
            {
                _lineInEffect = inEffect;
            }
        }

        done(result as LineSettings, error);
    };

    private LineSettings WithNewerFlow(LineSettings wanted, long queuedAtGeneration)
    {
        lock (_gate)
        {
            return _flow.Generation > queuedAtGeneration ? wanted with { FlowControl = _flow.Value } : wanted;
        }
    }

    /// <summary>Runs <paramref name="command"/> now on a pool thread, beside the queue (see the remarks); an error when not online.</summary>
    public void RunUrgent(DeviceCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        ISerialDevice? device;
        lock (_gate)
        {
            device = _device;
        }

        if (device is null)
        {
            command.Done(null, new ObjectDisposedException("device", "the device is not online"));
            return;
        }

        ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            object? result = null;
            Exception? error = null;
            try
            {
                lock (_urgent)
                {
                    result = command.Run(device);
                }
            }
            catch (Exception e) when (IsDeviceError(e))
            {
                error = e;
                Fault(device, e);
            }

            command.Done(result, error);
        }, null);
    }

    /// <summary>The latest flow control set urgently, numbered so queued applies can tell whether it came after them.</summary>
    private sealed record FlowOverride(long Generation, FlowControl Value);
}
