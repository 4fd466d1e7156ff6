using System.Buffers;

namespace Concentrator.Telnet;

/// <summary>Low-level writers for telnet framing: negotiations, subnegotiations, IAC doubling.</summary>
public static class TelnetFraming
{
    /// <summary>Writes IAC verb option.</summary>
    public static void WriteNegotiation(IBufferWriter<byte> output, byte verb, byte option)
    {
        var span = output.GetSpan(3);
        span[0] = TelnetCommand.Iac;
        span[1] = verb;
        span[2] = option;
        output.Advance(3);
    }

    /// <summary>Writes IAC SB option value IAC SE, doubling every 0xFF in the value.</summary>
    public static void WriteSubnegotiation(IBufferWriter<byte> output, byte option, ReadOnlySpan<byte> value)
    {
        var span = output.GetSpan(3 + (2 * value.Length) + 2);
        span[0] = TelnetCommand.Iac;
        span[1] = TelnetCommand.Sb;
        span[2] = option;
        var n = 3;
        foreach (var b in value)
        {
            span[n++] = b;
            if (b == TelnetCommand.Iac)
            {
                span[n++] = TelnetCommand.Iac;
            }
        }

        span[n++] = TelnetCommand.Iac;
        span[n++] = TelnetCommand.Se;
        output.Advance(n);
    }
}
