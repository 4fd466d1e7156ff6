using Concentrator.Devices;
using Concentrator.Telnet.Rfc2217;

namespace Concentrator.Ports.Upstream;

/// <summary>Line settings in RFC 2217's words and back, for driving an upstream server.</summary>
internal static class ComPortLine
{
    public static ComPortParity Of(Parity parity) => parity switch
    {
        Parity.Odd => ComPortParity.Odd,
        Parity.Even => ComPortParity.Even,
        Parity.Mark => ComPortParity.Mark,
        Parity.Space => ComPortParity.Space,
        _ => ComPortParity.None,
    };

    public static ComPortStopSize Of(StopBits stop) => stop switch
    {
        StopBits.Two => ComPortStopSize.Two,
        StopBits.OnePointFive => ComPortStopSize.OnePointFive,
        _ => ComPortStopSize.One,
    };

    public static ComPortControl Of(FlowControl flow) => flow switch
    {
        FlowControl.XonXoff => ComPortControl.FlowControlXonXoff,
        FlowControl.RtsCts => ComPortControl.FlowControlHardware,
        _ => ComPortControl.FlowControlNone,
    };

    /// <summary><paramref name="line"/> with whatever the server reported in <paramref name="reply"/>.</summary>
    public static LineSettings With(LineSettings line, ServerEvent reply) => reply switch
    {
        BaudRateIs { BaudRate: > 0 } b => line with { BaudRate = (int)b.BaudRate },
        DataSizeIs { DataBits: >= 5 and <= 8 } d => line with { DataBits = d.DataBits },
        ParityIs p => p.Parity switch
        {
            ComPortParity.None => line with { Parity = Parity.None },
            ComPortParity.Odd => line with { Parity = Parity.Odd },
            ComPortParity.Even => line with { Parity = Parity.Even },
            ComPortParity.Mark => line with { Parity = Parity.Mark },
            ComPortParity.Space => line with { Parity = Parity.Space },
            _ => line,
        },
        StopSizeIs s => s.StopSize switch
        {
            ComPortStopSize.One => line with { StopBits = StopBits.One },
            ComPortStopSize.Two => line with { StopBits = StopBits.Two },
            ComPortStopSize.OnePointFive => line with { StopBits = StopBits.OnePointFive },
            _ => line,
        },
        ControlIs c => c.Value switch
        {
            ComPortControl.FlowControlNone => line with { FlowControl = FlowControl.None },
            ComPortControl.FlowControlXonXoff => line with { FlowControl = FlowControl.XonXoff },
            ComPortControl.FlowControlHardware => line with { FlowControl = FlowControl.RtsCts },
            _ => line,
        },
        _ => line,
    };
}
