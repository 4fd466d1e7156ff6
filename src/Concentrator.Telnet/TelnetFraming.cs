using System.Buffers;

namespace Concentrator.Telnet;

/// <summary>Low-level writers for telnet framing: data, negotiations, subnegotiations, IAC doubling.</summary>
public static class TelnetFraming
{
    /// <summary>
    /// Writes data: every 0xFF doubled; unless <paramref name="binary"/> (our side of BINARY is enabled), every CR
    /// as CR NUL, so a receiver applying the NVT rule gets exactly these bytes back.
    /// </summary>
    public static void WriteData(IBufferWriter<byte> output, ReadOnlySpan<byte> data, bool binary)
    {
        ArgumentNullException.ThrowIfNull(output);
        while (!data.IsEmpty)
        {
            var next = binary ? data.IndexOf(TelnetCommand.Iac) : data.IndexOfAny(TelnetCommand.Iac, Nvt.Cr);
            if (next < 0)
            {
                output.Write(data);
                return;
            }

            output.Write(data[..(next + 1)]);
            var extra = output.GetSpan(1);
            extra[0] = data[next] == TelnetCommand.Iac ? TelnetCommand.Iac : Nvt.Nul;
            output.Advance(1);
            data = data[(next + 1)..];
        }
    }

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
