namespace Concentrator.Telnet;

/// <summary>A protocol event parsed from the client's byte stream. Events are immutable sealed records.</summary>
public abstract record TelnetEvent;

/// <summary>IAC BRK: the client asks for a break on the serial line.</summary>
public sealed record BreakReceived : TelnetEvent
{
    public static BreakReceived Instance { get; } = new();
}

/// <summary>NAWS subnegotiation: the client's terminal size (informational only).</summary>
public sealed record WindowSize(ushort Columns, ushort Rows) : TelnetEvent;

/// <summary>TTYPE IS subnegotiation: the client's terminal type (informational only).</summary>
public sealed record TerminalType(string Name) : TelnetEvent;

/// <summary>
/// COM-PORT-OPTION became active (client WILL 44 after our DO 44, or a first SB 44 without WILL).
/// The session should now send NOTIFY-MODEMSTATE with the current modem state.
/// </summary>
public sealed record ComPortEnabled : TelnetEvent
{
    public static ComPortEnabled Instance { get; } = new();
}

/// <summary>COM-PORT-OPTION was switched off by the client (WONT 44).</summary>
public sealed record ComPortDisabled : TelnetEvent
{
    public static ComPortDisabled Instance { get; } = new();
}

/// <summary>
/// <c>IAC SB 108 TOKEN IAC SE</c> (<see cref="TelnetOption.ConcentratorLeaseToken"/>): the client presents a lease's token.
/// </summary>
public sealed record LeaseTokenPresented(string Token) : TelnetEvent
{
    /// <summary>Longest token taken (ours are 43 characters); longer ones, or any with a byte outside printable ASCII, are ignored.</summary>
    public const int MaxLength = 128;

    /// <summary>The event for <paramref name="payload"/>, or null when it cannot be a token.</summary>
    public static LeaseTokenPresented? Parse(ReadOnlySpan<byte> payload)
    {
        if (payload.Length is 0 or > MaxLength)
        {
            return null;
        }

        foreach (var b in payload)
        {
            if (b is < 0x21 or > 0x7E)
            {
                return null;
            }
        }

        return new LeaseTokenPresented(System.Text.Encoding.ASCII.GetString(payload));
    }

    /// <summary>Never the token: events print themselves into logs.</summary>
    public override string ToString() => "LeaseTokenPresented";
}
