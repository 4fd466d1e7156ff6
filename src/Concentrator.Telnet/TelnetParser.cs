using System.Buffers;

namespace Concentrator.Telnet;

/// <summary>
/// The receiving half of telnet for either role: cuts a byte stream into <see cref="TelnetToken"/>s (data, commands,
/// negotiations, subnegotiations) and answers WILL/WONT/DO/DONT through <see cref="Options"/> (RFC 1143). What a
/// command, an enabled option or a subnegotiation means is the caller's business: <see cref="TelnetServerCodec"/>
/// and the RFC 2217 client codec each read tokens from one of these. Pure; not thread-safe.
/// </summary>
/// <remarks>
/// The state is kept between <see cref="Read"/> calls, so input may be split anywhere (inside IAC sequences,
/// subnegotiations, CR NUL) and gives the same tokens as unsplit, except that data may come in other pieces.
/// It never throws on any input. A subnegotiation keeps at most <see cref="MaxSubnegotiationLength"/> payload
/// bytes; a longer one is dropped up to its IAC SE. IAC + anything other than IAC/SE inside a subnegotiation ends
/// it (dropped) and is read as a command, so garbage resynchronises at the next IAC.
/// </remarks>
public sealed class TelnetParser
{
    private static readonly byte[] IacByte = [TelnetCommand.Iac];

    private readonly byte[] _sb;
    private int _sbLength;
    private bool _sbOverflow;
    private byte _sbOption;
    private byte _verb;
    private ParseState _state;

    public TelnetParser(int maxSubnegotiationLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSubnegotiationLength);
        _sb = new byte[maxSubnegotiationLength];
    }

    private enum ParseState : byte
    {
        Data,
        DataAfterCr,
        Iac,
        Negotiation,
        SubnegotiationOption,
        Subnegotiation,
        SubnegotiationIac,
    }

    /// <summary>The option states and the policy of which options we accept; set the policy before reading.</summary>
    public OptionNegotiation Options { get; } = new();

    /// <summary>Largest subnegotiation payload kept; longer ones are dropped.</summary>
    public int MaxSubnegotiationLength => _sb.Length;

    /// <summary>True once an IAC arrived: the peer speaks telnet (a plain-text line has none).</summary>
    public bool SawIac { get; private set; }

    /// <summary>Bytes of subnegotiation currently buffered (diagnostic; never above the capacity).</summary>
    internal int SubnegotiationLength => _sbLength;

    /// <summary>
    /// Reads the next token from <paramref name="input"/> and advances it past what was consumed. False once the
    /// input is used up without completing a token (a partial sequence is kept for the next call). Negotiation
    /// answers go to <paramref name="reply"/>.
    /// </summary>
    public bool Read(ref ReadOnlySpan<byte> input, IBufferWriter<byte> reply, out TelnetToken token)
    {
        ArgumentNullException.ThrowIfNull(reply);
        while (!input.IsEmpty)
        {
            if (_state is ParseState.Data or ParseState.DataAfterCr)
            {
                var length = ScanData(input, out var consumed);
                token = TelnetToken.ForData(input[..length]);
                input = input[consumed..];
                if (length > 0)
                {
                    return true;
                }

                continue;
            }

            var b = input[0];
            input = input[1..];
            if (Step(b, reply, out token))
            {
                return true;
            }
        }

        token = default;
        return false;
    }

    // The run of plain data at the start of input: up to an IAC, up to the NUL of CR NUL (which is dropped), or all
    // of it. consumed includes the IAC or NUL.
    private int ScanData(ReadOnlySpan<byte> input, out int consumed)
    {
        var binary = Options.IsHimEnabled(TelnetOption.Binary);
        for (var i = 0; i < input.Length; i++)
        {
            var b = input[i];
            if (b == TelnetCommand.Iac)
            {
                SawIac = true;
                _state = ParseState.Iac;
                consumed = i + 1;
                return i;
            }

            if (_state == ParseState.DataAfterCr && b == Nvt.Nul)
            {
                _state = ParseState.Data;
                consumed = i + 1;
                return i;
            }

            _state = b == Nvt.Cr && !binary ? ParseState.DataAfterCr : ParseState.Data;
        }

        consumed = input.Length;
        return input.Length;
    }

    // One byte of an IAC sequence or subnegotiation; true when it completed a token.
    private bool Step(byte b, IBufferWriter<byte> reply, out TelnetToken token)
    {
        token = default;
        switch (_state)
        {
            case ParseState.Iac:
                if (b == TelnetCommand.Iac)
                {
                    _state = ParseState.Data;
                    token = TelnetToken.ForData(IacByte);
                    return true;
                }

                return Command(b, out token);

            case ParseState.Negotiation:
                _state = ParseState.Data;
                token = TelnetToken.ForNegotiation(_verb, b, Options.Receive(_verb, b, reply));
                return true;

            case ParseState.SubnegotiationOption:
                _sbOption = b;
                _sbLength = 0;
                _sbOverflow = false;
                _state = ParseState.Subnegotiation;
                return false;

            case ParseState.Subnegotiation:
                if (b == TelnetCommand.Iac)
                {
                    _state = ParseState.SubnegotiationIac;
                }
                else
                {
                    AppendSubnegotiation(b);
                }

                return false;

            default: // SubnegotiationIac
                if (b == TelnetCommand.Iac)
                {
                    AppendSubnegotiation(b);
                    _state = ParseState.Subnegotiation;
                    return false;
                }

                var length = _sbLength;
                _sbLength = 0;
                if (b == TelnetCommand.Se)
                {
                    _state = ParseState.Data;
                    if (_sbOverflow)
                    {
                        return false;
                    }

                    // Only a later Read writes _sb again, which is as long as a token is valid.
                    token = TelnetToken.ForSubnegotiation(_sbOption, _sb.AsSpan(0, length));
                    return true;
                }

                // IAC <command> inside a subnegotiation: it was never terminated. Drop it and resynchronise by
                // reading this as an ordinary IAC command.
                return Command(b, out token);
        }
    }

    // The byte after an IAC (other than IAC IAC in data).
    private bool Command(byte command, out TelnetToken token)
    {
        token = default;
        switch (command)
        {
            case TelnetCommand.Will:
            case TelnetCommand.Wont:
            case TelnetCommand.Do:
            case TelnetCommand.Dont:
                _verb = command;
                _state = ParseState.Negotiation;
                return false;
            case TelnetCommand.Sb:
                _state = ParseState.SubnegotiationOption;
                return false;
            default:
                _state = ParseState.Data;
                token = TelnetToken.ForCommand(command);
                return true;
        }
    }

    private void AppendSubnegotiation(byte b)
    {
        if (_sbLength < _sb.Length)
        {
            _sb[_sbLength++] = b;
        }
        else
        {
            _sbOverflow = true;
        }
    }
}
