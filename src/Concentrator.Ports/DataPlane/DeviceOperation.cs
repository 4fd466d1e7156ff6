using Concentrator.Devices;

namespace Concentrator.Ports.DataPlane;

/// <summary>One entry of a port's ordered device queue (see <see cref="PortDataPlane"/>).</summary>
internal abstract class DeviceOperation;

/// <summary>Client bytes; <see cref="Offset"/> is how many of them the device already took.</summary>
internal sealed class WriteOperation(DeviceInput input, byte[] data, int offset) : DeviceOperation
{
    public DeviceInput Input { get; } = input;

    public byte[] Data { get; } = data;

    public int Offset { get; set; } = offset;

    public int Remaining => Data.Length - Offset;
}

/// <summary>Work on the open device (line settings, control lines, a break, a modem read), run on the device worker.</summary>
internal sealed class CommandOperation(DeviceCommand command) : DeviceOperation
{
    public DeviceCommand Command { get; } = command;
}

/// <summary>A place in the queue a session took for a command the port has not decided on yet.</summary>
internal sealed class SlotOperation : DeviceOperation
{
    /// <summary>The port's decision: a command, null and <see cref="Cancelled"/>, or neither yet (the queue waits here).</summary>
    public DeviceCommand? Filled { get; set; }

    public bool Cancelled { get; set; }
}

/// <summary>
/// Work on the open device: <see cref="Run"/> runs on the plane's worker (it may block: a break holds the line);
/// <see cref="Done"/> gets its result, or the error, or <see cref="ObjectDisposedException"/> when the device went away
/// before it ran.
/// </summary>
public sealed record DeviceCommand(string Name, Func<ISerialDevice, object?> Run, Action<object?, Exception?> Done)
{
    public static readonly Action<object?, Exception?> Ignore = (_, _) => { };
}
