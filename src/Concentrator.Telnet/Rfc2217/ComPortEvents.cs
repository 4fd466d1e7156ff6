namespace Concentrator.Telnet.Rfc2217;

/// <summary>
/// A COM-PORT-OPTION command from the client. The codec only parses; the session decides, asks the port,
/// and answers with the value in effect through <see cref="ComPortReply"/>.
/// </summary>
public abstract record ComPortCommand : TelnetEvent;

/// <summary>SIGNATURE. <see cref="Text"/> null: a query, already answered by the codec with its own signature.
/// Otherwise the client's signature text (informational, no reply).</summary>
public sealed record Signature(string? Text) : ComPortCommand;

/// <summary>SET-BAUDRATE; 0 is a query. Reply with <see cref="ComPortReply.BaudRate"/>.</summary>
public sealed record SetBaudRate(uint Requested) : ComPortCommand
{
    public bool IsQuery => Requested == 0;
}

/// <summary>SET-DATASIZE; 0 is a query. Reply with <see cref="ComPortReply.DataSize"/>.</summary>
public sealed record SetDataSize(byte Requested) : ComPortCommand
{
    public bool IsQuery => Requested == 0;
}

/// <summary>SET-PARITY. Reply with <see cref="ComPortReply.Parity"/>. Values above 5 are passed through as-is.</summary>
public sealed record SetParity(ComPortParity Requested) : ComPortCommand
{
    public bool IsQuery => Requested == ComPortParity.Query;
}

/// <summary>SET-STOPSIZE. Reply with <see cref="ComPortReply.StopSize"/>. Values above 3 are passed through as-is.</summary>
public sealed record SetStopSize(ComPortStopSize Requested) : ComPortCommand
{
    public bool IsQuery => Requested == ComPortStopSize.Query;
}

/// <summary>SET-CONTROL (flow control, BREAK, DTR, RTS and their queries). Reply with <see cref="ComPortReply.Control"/>.
/// Values above 19 are passed through as-is.</summary>
public sealed record SetControl(ComPortControl Code) : ComPortCommand;

/// <summary>The client sent NOTIFY-MODEMSTATE: a poll. Answer with <see cref="ComPortReply.NotifyModemState"/>.</summary>
public sealed record ModemStatePoll : ComPortCommand
{
    public static ModemStatePoll Instance { get; } = new();
}

/// <summary>FLOWCONTROL-SUSPEND: stop sending device data to this client until resumed. No reply.</summary>
public sealed record FlowControlSuspend : ComPortCommand
{
    public static FlowControlSuspend Instance { get; } = new();
}

/// <summary>FLOWCONTROL-RESUME: resume sending device data to this client. No reply.</summary>
public sealed record FlowControlResume : ComPortCommand
{
    public static FlowControlResume Instance { get; } = new();
}

/// <summary>SET-LINESTATE-MASK. Reply with <see cref="ComPortReply.LineStateMask"/>.</summary>
public sealed record SetLineStateMask(LineState Mask) : ComPortCommand;

/// <summary>SET-MODEMSTATE-MASK. Set <see cref="ModemStateNotifier.Mask"/> and reply with <see cref="ComPortReply.ModemStateMask"/>.</summary>
public sealed record SetModemStateMask(ModemState Mask) : ComPortCommand;

/// <summary>PURGE-DATA. Reply with <see cref="ComPortReply.PurgeData"/>. Values other than 1-3 are passed through as-is.</summary>
public sealed record PurgeData(ComPortPurge Target) : ComPortCommand;

/// <summary>A COM-PORT-OPTION subnegotiation the codec did not act on: an unknown or server-only code, or a
/// value of the wrong length. For logging; no reply is sent.</summary>
public sealed record ComPortCommandIgnored(byte Command, int ValueLength) : ComPortCommand;
