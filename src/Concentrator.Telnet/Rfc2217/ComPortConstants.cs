namespace Concentrator.Telnet.Rfc2217;

/// <summary>RFC 2217 COM-PORT-OPTION command codes as the client sends them; the server's replies add <see cref="ServerOffset"/>.</summary>
public static class ComPortCommandCode
{
    public const byte Signature = 0;
    public const byte SetBaudRate = 1;
    public const byte SetDataSize = 2;
    public const byte SetParity = 3;
    public const byte SetStopSize = 4;
    public const byte SetControl = 5;
    public const byte NotifyLineState = 6;
    public const byte NotifyModemState = 7;
    public const byte FlowControlSuspend = 8;
    public const byte FlowControlResume = 9;
    public const byte SetLineStateMask = 10;
    public const byte SetModemStateMask = 11;
    public const byte PurgeData = 12;

    /// <summary>Server-to-client codes are the client codes plus 100.</summary>
    public const byte ServerOffset = 100;

    /// <summary>The modem-state mask in effect until the client sets one.</summary>
    public const byte DefaultModemStateMask = 0xFF;

    /// <summary>The line-state mask in effect until the client sets one.</summary>
    public const byte DefaultLineStateMask = 0x00;
}

/// <summary>SET-PARITY values.</summary>
public enum ComPortParity : byte
{
    Query = 0,
    None = 1,
    Odd = 2,
    Even = 3,
    Mark = 4,
    Space = 5,
}

/// <summary>SET-STOPSIZE values.</summary>
public enum ComPortStopSize : byte
{
    Query = 0,
    One = 1,
    Two = 2,
    OnePointFive = 3,
}

/// <summary>SET-CONTROL values (RFC 2217 numbering).</summary>
public enum ComPortControl : byte
{
    /// <summary>Query the outbound flow control setting.</summary>
    QueryFlowControl = 0,
    FlowControlNone = 1,
    FlowControlXonXoff = 2,
    FlowControlHardware = 3,
    QueryBreak = 4,
    BreakOn = 5,
    BreakOff = 6,
    QueryDtr = 7,
    DtrOn = 8,
    DtrOff = 9,
    QueryRts = 10,
    RtsOn = 11,
    RtsOff = 12,
    QueryInboundFlowControl = 13,
    InboundFlowControlNone = 14,
    InboundFlowControlXonXoff = 15,
    InboundFlowControlHardware = 16,
    FlowControlDcd = 17,
    FlowControlDtr = 18,
    FlowControlDsr = 19,
}

/// <summary>PURGE-DATA values.</summary>
public enum ComPortPurge : byte
{
    /// <summary>Purge the access server's receive buffer (data from the device not yet sent).</summary>
    Receive = 1,
    /// <summary>Purge the access server's transmit buffer (data for the device not yet written).</summary>
    Transmit = 2,
    Both = 3,
}

/// <summary>NOTIFY-MODEMSTATE bits. The state bits equal Concentrator.Devices.ModemStatus values.</summary>
[Flags]
public enum ModemState : byte
{
    None = 0,
    DeltaCts = 0x01,
    DeltaDsr = 0x02,
    TrailingEdgeRingIndicator = 0x04,
    DeltaCarrierDetect = 0x08,
    ClearToSend = 0x10,
    DataSetReady = 0x20,
    RingIndicator = 0x40,
    CarrierDetect = 0x80,
}

/// <summary>NOTIFY-LINESTATE bits.</summary>
[Flags]
public enum LineState : byte
{
    None = 0,
    DataReady = 0x01,
    OverrunError = 0x02,
    ParityError = 0x04,
    FramingError = 0x08,
    BreakDetect = 0x10,
    TransferHoldingRegisterEmpty = 0x20,
    TransferShiftRegisterEmpty = 0x40,
    Timeout = 0x80,
}
