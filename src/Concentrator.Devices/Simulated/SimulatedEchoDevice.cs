namespace Concentrator.Devices.Simulated;

/// <summary>
/// sim:echo — a loopback plug: every byte written comes back to Read. At most
/// <see cref="SimulatedDevice.ReceiveCapacity"/> bytes wait; beyond that Write blocks until they are read.
/// </summary>
public sealed class SimulatedEchoDevice : SimulatedDevice
{
    /// <summary>The path that opens this device.</summary>
    public const string DevicePath = "sim:echo";

    /// <summary>Creates a loopback device.</summary>
    public SimulatedEchoDevice(TimeProvider? time = null) : base(DevicePath, time) { }

    /// <inheritdoc />
    protected override ReadOnlySpan<byte> OnWrite(ReadOnlySpan<byte> data, DateTimeOffset now) => data;
}
