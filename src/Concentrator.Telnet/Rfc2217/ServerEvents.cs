namespace Concentrator.Telnet.Rfc2217;

/// <summary>Something the server told the client (other than data).</summary>
public abstract record ServerEvent;

/// <summary>The server accepted COM-PORT-OPTION (DO 44 answered / acknowledged).</summary>
public sealed record ComPortActive : ServerEvent;

/// <summary>SET-BAUDRATE reply: the rate in effect.</summary>
public sealed record BaudRateIs(uint BaudRate) : ServerEvent;

/// <summary>SET-DATASIZE reply.</summary>
public sealed record DataSizeIs(byte DataBits) : ServerEvent;

/// <summary>SET-PARITY reply.</summary>
public sealed record ParityIs(ComPortParity Parity) : ServerEvent;

/// <summary>SET-STOPSIZE reply.</summary>
public sealed record StopSizeIs(ComPortStopSize StopSize) : ServerEvent;

/// <summary>SET-CONTROL reply.</summary>
public sealed record ControlIs(ComPortControl Value) : ServerEvent;

/// <summary>NOTIFY-MODEMSTATE from the server.</summary>
public sealed record ModemStateIs(ModemState State) : ServerEvent;

/// <summary>NOTIFY-LINESTATE from the server.</summary>
public sealed record LineStateIs(LineState State) : ServerEvent;

/// <summary>SIGNATURE reply.</summary>
public sealed record SignatureIs(string Text) : ServerEvent;

/// <summary>FLOWCONTROL-SUSPEND (true) / RESUME (false) from the server: stop / resume sending data.</summary>
public sealed record FlowSuspended(bool Suspended) : ServerEvent;

/// <summary>Any other server COM-PORT reply (masks, purge acknowledgements), for logging.</summary>
public sealed record OtherComPortReply(byte Code, int ValueLength) : ServerEvent;
