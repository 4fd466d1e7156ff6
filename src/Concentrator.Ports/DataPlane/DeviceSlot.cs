namespace Concentrator.Ports.DataPlane;

/// <summary>
/// A place in the device queue a session took (<see cref="DeviceInput.Reserve"/>) for a command it asked the port
/// for: the port fills it with the command it decided on, or cancels it. The queue does not pass an undecided slot,
/// so the command applies exactly between the session's bytes before and after it, however long the decision took.
/// </summary>
public sealed class DeviceSlot
{
    private readonly PortDataPlane _plane;
    private readonly SlotOperation _operation;

    internal DeviceSlot(PortDataPlane plane, SlotOperation operation)
    {
        _plane = plane;
        _operation = operation;
    }

    /// <summary>The port's command goes here; false (and the command is answered as not run) when the slot was already decided.</summary>
    public bool Fill(DeviceCommand command) => _plane.Decide(_operation, command);

    /// <summary>Nothing goes here (a query, a read-only session, the device not online). Idempotent.</summary>
    public void Cancel() => _plane.Decide(_operation, null);
}
