namespace Concentrator.Devices;

/// <summary>Parity as RFC 2217 and termios know it.</summary>
public enum Parity { None, Odd, Even, Mark, Space }

/// <summary>Stop bits; 1.5 exists only with 5 data bits on real UARTs.</summary>
public enum StopBits { One, OnePointFive, Two }

/// <summary>Flow control applied by the device (not by the server).</summary>
public enum FlowControl { None, XonXoff, RtsCts }

/// <summary>The line settings of a serial port: what is configured, what a client asked for, what is in effect.</summary>
public sealed record LineSettings(int BaudRate, int DataBits, Parity Parity, StopBits StopBits, FlowControl FlowControl)
{
    public static LineSettings Default { get; } = new(115200, 8, Parity.None, StopBits.One, FlowControl.None);

    /// <summary>Short human form, e.g. "115200 8N1".</summary>
    public override string ToString() =>
        $"{BaudRate} {DataBits}{LineWords.Letter(Parity)}{LineWords.Of(StopBits)}{(FlowControl == FlowControl.None ? "" : " " + LineWords.Of(FlowControl))}";
}
