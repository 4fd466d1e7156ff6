using Concentrator.Devices;
using Concentrator.Telnet.Rfc2217;

namespace Concentrator.Ports.Rfc2217;

/// <summary>
/// Line settings in RFC 2217's words and back: the one mapping in Ports, for our server's sessions (ComPortNegotiator)
/// and for driving an upstream server. (The client keeps its own in LineChange: Client and Ports never use each other.)
/// </summary>
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

    public static Parity? ToParity(ComPortParity parity) => parity switch
    {
        ComPortParity.None => Parity.None,
        ComPortParity.Odd => Parity.Odd,
        ComPortParity.Even => Parity.Even,
        ComPortParity.Mark => Parity.Mark,
        ComPortParity.Space => Parity.Space,
        _ => null,
    };

    public static StopBits? ToStopBits(ComPortStopSize size) => size switch
    {
        ComPortStopSize.One => StopBits.One,
        ComPortStopSize.Two => StopBits.Two,
        ComPortStopSize.OnePointFive => StopBits.OnePointFive,
        _ => null,
    };

    /// <summary>The flow control a SET-CONTROL flow code asks for (outbound or inbound), or null for any other code.</summary>
    public static FlowControl? ToFlowControl(ComPortControl code) => code switch
    {
        ComPortControl.FlowControlNone or ComPortControl.InboundFlowControlNone => FlowControl.None,
        ComPortControl.FlowControlXonXoff or ComPortControl.InboundFlowControlXonXoff => FlowControl.XonXoff,
        ComPortControl.FlowControlHardware or ComPortControl.InboundFlowControlHardware => FlowControl.RtsCts,
        _ => null,
    };

    /// <summary><paramref name="line"/> with whatever the server reported in <paramref name="reply"/>.</summary>
    public static LineSettings With(LineSettings line, ServerEvent reply) => reply switch
    {
        BaudRateIs { BaudRate: > 0 } b => line with { BaudRate = (int)b.BaudRate },
        DataSizeIs { DataBits: >= 5 and <= 8 } d => line with { DataBits = d.DataBits },
        ParityIs p when ToParity(p.Parity) is { } parity => line with { Parity = parity },
        StopSizeIs s when ToStopBits(s.StopSize) is { } stop => line with { StopBits = stop },
        ControlIs { Value: ComPortControl.FlowControlNone or ComPortControl.FlowControlXonXoff or ComPortControl.FlowControlHardware } c
            when ToFlowControl(c.Value) is { } flow => line with { FlowControl = flow }, // outbound flow only, as set
        _ => line,
    };
}
