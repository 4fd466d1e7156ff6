namespace Concentrator.Devices.Simulated;

/// <summary>
/// sim:demo — a fake machine console (see <see cref="DemoConsole"/>). It boots when opened; Read blocks on the
/// device's monitor until output is due or typed input produced some.
/// </summary>
public sealed class SimulatedDemoDevice : SimulatedDevice
{
    /// <summary>The path that opens this device.</summary>
    public const string DevicePath = "sim:demo";

    private readonly DemoConsole _console;

    /// <summary>Creates the device; the machine starts booting now.</summary>
    public SimulatedDemoDevice(TimeProvider? time = null) : base(DevicePath, time) =>
        _console = new DemoConsole(Time.GetUtcNow());

    /// <inheritdoc />
    protected override ReadOnlySpan<byte> OnWrite(ReadOnlySpan<byte> data, DateTimeOffset now) =>
        _console.Receive(data, now);

    /// <inheritdoc />
    protected override ReadOnlySpan<byte> Tick(DateTimeOffset now) => _console.Poll(now);

    /// <inheritdoc />
    protected override DateTimeOffset? NextOutputAt => _console.NextOutputAt;
}
