using Concentrator.Devices;

namespace Concentrator.Testing;

/// <summary>
/// The termios of a virtual serial device's slave side, as the kernel holds it, decoded independently of the
/// device backends so tests can check what a backend really configured.
/// </summary>
/// <param name="BaudRate">The output speed (termios2 c_ospeed).</param>
/// <param name="DataBits">5..8 from CSIZE.</param>
/// <param name="Parity">From PARENB/PARODD/CMSPAR.</param>
/// <param name="StopBits">One or Two (CSTOPB).</param>
/// <param name="FlowControl">RtsCts when CRTSCTS, XonXoff when IXON or IXOFF, else None.</param>
/// <param name="IsRaw">No canonical mode, echo, signals, output processing or CR/NL translation.</param>
/// <param name="InputFlags">Raw c_iflag.</param>
/// <param name="OutputFlags">Raw c_oflag.</param>
/// <param name="ControlFlags">Raw c_cflag.</param>
/// <param name="LocalFlags">Raw c_lflag.</param>
public sealed record TermiosSnapshot(
    int BaudRate,
    int DataBits,
    Parity Parity,
    StopBits StopBits,
    FlowControl FlowControl,
    bool IsRaw,
    uint InputFlags,
    uint OutputFlags,
    uint ControlFlags,
    uint LocalFlags)
{
    /// <summary>The line settings part, comparable with <see cref="LineSettings"/>.</summary>
    public LineSettings ToLineSettings() => new(BaudRate, DataBits, Parity, StopBits, FlowControl);

    /// <inheritdoc />
    public override string ToString() =>
        $"{ToLineSettings()}{(IsRaw ? " raw" : " cooked")} iflag=0x{InputFlags:x} oflag=0x{OutputFlags:x} " +
        $"cflag=0x{ControlFlags:x} lflag=0x{LocalFlags:x}";
}
