using System.Buffers;
using Concentrator.Devices;
using Concentrator.Telnet.Rfc2217;

namespace Concentrator.Client.Rfc2217;

/// <summary>A partial change of line settings: only the set fields are sent.</summary>
public sealed record LineChange(
    int? BaudRate = null, int? DataBits = null, Parity? Parity = null, StopBits? StopBits = null, FlowControl? FlowControl = null)
{
    public bool IsEmpty => BaudRate is null && DataBits is null && Parity is null && StopBits is null && FlowControl is null;

    /// <summary>All fields of <paramref name="line"/>.</summary>
    public static LineChange From(LineSettings line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return new(line.BaudRate, line.DataBits, line.Parity, line.StopBits, line.FlowControl);
    }

    /// <summary>The fields that differ between <paramref name="before"/> and <paramref name="after"/>.</summary>
    public static LineChange Diff(LineSettings before, LineSettings after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return new(
            before.BaudRate != after.BaudRate ? after.BaudRate : null,
            before.DataBits != after.DataBits ? after.DataBits : null,
            before.Parity != after.Parity ? after.Parity : null,
            before.StopBits != after.StopBits ? after.StopBits : null,
            before.FlowControl != after.FlowControl ? after.FlowControl : null);
    }

    /// <summary>This change overridden by the set fields of <paramref name="later"/>.</summary>
    public LineChange Merge(LineChange later)
    {
        ArgumentNullException.ThrowIfNull(later);
        return new(later.BaudRate ?? BaudRate, later.DataBits ?? DataBits, later.Parity ?? Parity,
            later.StopBits ?? StopBits, later.FlowControl ?? FlowControl);
    }

    /// <summary>The COM-PORT commands for the fields that are set.</summary>
    public void WriteCommands(IBufferWriter<byte> output)
    {
        if (BaudRate is { } baud)
        {
            Rfc2217ClientCodec.SetBaudRate(output, (uint)baud);
        }

        if (DataBits is { } bits)
        {
            Rfc2217ClientCodec.SetDataSize(output, (byte)bits);
        }

        if (Parity is { } parity)
        {
            Rfc2217ClientCodec.SetParity(output, parity switch
            {
                Devices.Parity.Odd => ComPortParity.Odd,
                Devices.Parity.Even => ComPortParity.Even,
                Devices.Parity.Mark => ComPortParity.Mark,
                Devices.Parity.Space => ComPortParity.Space,
                _ => ComPortParity.None,
            });
        }

        if (StopBits is { } stop)
        {
            Rfc2217ClientCodec.SetStopSize(output, stop switch
            {
                Devices.StopBits.Two => ComPortStopSize.Two,
                Devices.StopBits.OnePointFive => ComPortStopSize.OnePointFive,
                _ => ComPortStopSize.One,
            });
        }

        if (FlowControl is { } flow)
        {
            Rfc2217ClientCodec.SetControl(output, flow switch
            {
                Devices.FlowControl.XonXoff => ComPortControl.FlowControlXonXoff,
                Devices.FlowControl.RtsCts => ComPortControl.FlowControlHardware,
                _ => ComPortControl.FlowControlNone,
            });
        }
    }

    public override string ToString() =>
        string.Join(" ", new[]
        {
            BaudRate is { } b ? $"baud={b}" : null,
            DataBits is { } d ? $"data-bits={d}" : null,
            Parity is { } p ? $"parity={LineWords.Of(p)}" : null,
            StopBits is { } s ? $"stop-bits={LineWords.Of(s)}" : null,
            FlowControl is { } f ? $"flow-control={LineWords.Of(f)}" : null,
        }.Where(x => x is not null));
}
