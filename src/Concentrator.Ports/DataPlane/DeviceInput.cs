namespace Concentrator.Ports.DataPlane;

/// <summary>
/// One session's way into its port's <see cref="PortDataPlane"/>: its writer number and where queued writes report
/// how they ended. Given by the port on admission; whether it may write is decided by the port's
/// <see cref="WritePermits"/>, never by this handle.
/// </summary>
public sealed class DeviceInput
{
    private readonly PortDataPlane _plane;
    private readonly Action<int, WriteResult> _completed;
    private readonly Action<byte[]>? _typed;

    internal DeviceInput(PortDataPlane plane, int writer, Action<int, WriteResult> completed, Action<byte[]>? typed = null)
    {
        _plane = plane;
        Writer = writer;
        _completed = completed;
        _typed = typed;
    }

    public int Writer { get; }

    /// <summary>Writes <paramref name="data"/> (owned by the plane from here on) in this writer's order; see <see cref="WriteOutcome"/>.</summary>
    public WriteOutcome Write(byte[] data)
    {
        // Told before the device gets them, so a recording has the keystrokes ahead of their echo; only a permitted writer's.
        if (_typed is not null && _plane.Allows(Writer))
        {
            _typed(data);
        }

        return _plane.Write(this, data);
    }

    /// <summary>
    /// Takes this writer's place in the device queue for a device command the port will decide on (fill or cancel):
    /// the command then lands exactly between the bytes written before and after this call.
    /// </summary>
    public DeviceSlot Reserve() => _plane.Reserve();

    /// <summary>Called by the plane (outside its lock) when a queued write ended.</summary>
    internal void Completed(int bytes, WriteResult result) => _completed(bytes, result);
}
