namespace Concentrator.Telnet;

/// <summary>Telnet command bytes (RFC 854), each following an IAC.</summary>
public static class TelnetCommand
{
    /// <summary>End of subnegotiation.</summary>
    public const byte Se = 240;
    /// <summary>No operation.</summary>
    public const byte Nop = 241;
    /// <summary>Data mark (the data stream part of a synch).</summary>
    public const byte Dm = 242;
    /// <summary>Break.</summary>
    public const byte Brk = 243;
    /// <summary>Interrupt process.</summary>
    public const byte Ip = 244;
    /// <summary>Abort output.</summary>
    public const byte Ao = 245;
    /// <summary>Are you there.</summary>
    public const byte Ayt = 246;
    /// <summary>Erase character.</summary>
    public const byte Ec = 247;
    /// <summary>Erase line.</summary>
    public const byte El = 248;
    /// <summary>Go ahead.</summary>
    public const byte Ga = 249;
    /// <summary>Start of subnegotiation.</summary>
    public const byte Sb = 250;
    public const byte Will = 251;
    public const byte Wont = 252;
    public const byte Do = 253;
    public const byte Dont = 254;
    /// <summary>Interpret as command; doubled to send a literal 0xFF.</summary>
    public const byte Iac = 255;
}

/// <summary>Telnet option codes the codec knows.</summary>
public static class TelnetOption
{
    /// <summary>RFC 856 binary transmission.</summary>
    public const byte Binary = 0;
    /// <summary>RFC 857 echo.</summary>
    public const byte Echo = 1;
    /// <summary>RFC 858 suppress go ahead.</summary>
    public const byte SuppressGoAhead = 3;
    /// <summary>RFC 1091 terminal type.</summary>
    public const byte TerminalType = 24;
    /// <summary>RFC 1073 negotiate about window size.</summary>
    public const byte WindowSize = 31;
    /// <summary>RFC 2217 COM-PORT-OPTION.</summary>
    public const byte ComPort = 44;

    /// <summary>
    /// Ours, from the range IANA leaves unassigned: the server offers it (WILL) when it starts a login dialogue, so a
    /// client knows the <c>login:</c> and <c>Password:</c> that follow are the server's and not the console's (device
    /// output can never carry an IAC sequence: it is escaped). Clients that do not know it refuse it, as telnet allows.
    /// </summary>
    public const byte ConcentratorLogin = 107;

    /// <summary>
    /// Ours too: <c>IAC SB 108 TOKEN IAC SE</c> from a client presents a lease's token (printable ASCII), so the
    /// session holds that lease if it is the port's (<c>--lease-token</c>). Sent unasked, as a subnegotiation of an
    /// option never negotiated: a server that does not know it ignores it, and it never reaches a device.
    /// </summary>
    public const byte ConcentratorLeaseToken = 108;
}

/// <summary>NVT characters that matter to the data rules.</summary>
internal static class Nvt
{
    public const byte Nul = 0;
    public const byte Lf = 10;
    public const byte Cr = 13;
}
