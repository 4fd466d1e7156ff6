namespace Concentrator.Telnet;

/// <summary>What a <see cref="TelnetToken"/> is.</summary>
public enum TelnetTokenKind : byte
{
    /// <summary>Plain data: IAC IAC already undone, CR NUL already CR while the peer is not binary.</summary>
    Data,
    /// <summary>IAC and a command without an option: BRK, AYT, IP, NOP, a stray SE, an unknown byte...</summary>
    Command,
    /// <summary>IAC WILL/WONT/DO/DONT option, already answered through <see cref="TelnetParser.Options"/>.</summary>
    Negotiation,
    /// <summary>IAC SB option ... IAC SE within the size limit, IAC IAC undone in the payload.</summary>
    Subnegotiation,
}

/// <summary>
/// One piece of a received telnet stream, from <see cref="TelnetParser.Read"/>. <see cref="Bytes"/> points into the
/// input or the parser's buffer, so it is only valid until the next <see cref="TelnetParser.Read"/>.
/// </summary>
public readonly ref struct TelnetToken
{
    private TelnetToken(TelnetTokenKind kind, ReadOnlySpan<byte> bytes, byte code, byte option, OptionChange change)
    {
        Kind = kind;
        Bytes = bytes;
        Code = code;
        Option = option;
        Change = change;
    }

    public TelnetTokenKind Kind { get; }

    /// <summary><see cref="TelnetTokenKind.Data"/>: the data. <see cref="TelnetTokenKind.Subnegotiation"/>: the
    /// payload after the option byte. Otherwise empty.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    /// <summary><see cref="TelnetTokenKind.Command"/>: the command byte. <see cref="TelnetTokenKind.Negotiation"/>:
    /// the verb (WILL, WONT, DO, DONT).</summary>
    public byte Code { get; }

    /// <summary><see cref="TelnetTokenKind.Negotiation"/> and <see cref="TelnetTokenKind.Subnegotiation"/>: the option.</summary>
    public byte Option { get; }

    /// <summary><see cref="TelnetTokenKind.Negotiation"/>: what it did to the option states.</summary>
    public OptionChange Change { get; }

    internal static TelnetToken ForData(ReadOnlySpan<byte> data) =>
        new(TelnetTokenKind.Data, data, 0, 0, OptionChange.None);

    internal static TelnetToken ForCommand(byte command) =>
        new(TelnetTokenKind.Command, default, command, 0, OptionChange.None);

    internal static TelnetToken ForNegotiation(byte verb, byte option, OptionChange change) =>
        new(TelnetTokenKind.Negotiation, default, verb, option, change);

    internal static TelnetToken ForSubnegotiation(byte option, ReadOnlySpan<byte> payload) =>
        new(TelnetTokenKind.Subnegotiation, payload, 0, option, OptionChange.None);
}
