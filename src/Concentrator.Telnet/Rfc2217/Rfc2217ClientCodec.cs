using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Concentrator.Telnet.Rfc2217;

/// <summary>
/// The client side of telnet and RFC 2217: opens with WILL/DO BINARY, WILL/DO SGA and WILL COM-PORT-OPTION, and
/// parses the server's COM-PORT replies (codes + 100) into <see cref="ServerEvent"/>s. Telnet framing and option
/// negotiation (RFC 1143, no loops) are the shared <see cref="TelnetParser"/>: IAC doubling and, while the server is
/// not binary, CR NUL are undone on incoming data. Pure and resumable: input may be split anywhere. Not thread-safe.
/// </summary>
public sealed class Rfc2217ClientCodec
{
    // Room for a long SIGNATURE reply.
    private const int MaxSubnegotiationLength = 512;

    private readonly TelnetParser _parser = new(MaxSubnegotiationLength);
    private readonly OptionNegotiation _options;

    public Rfc2217ClientCodec()
    {
        _options = _parser.Options;
        _options.AllowUs(TelnetOption.Binary);
        _options.AllowUs(TelnetOption.SuppressGoAhead);
        _options.AllowUs(TelnetOption.ComPort);
        _options.AllowHim(TelnetOption.Binary);
        _options.AllowHim(TelnetOption.SuppressGoAhead);
        _options.AllowHim(TelnetOption.Echo);
        _options.AllowHim(TelnetOption.ConcentratorLogin);
    }

    /// <summary>True once an IAC arrived: the server speaks telnet (a plain-text refusal line has none).</summary>
    public bool SawTelnet => _parser.SawIac;

    /// <summary>The server agreed to COM-PORT-OPTION.</summary>
    public bool ComPortEnabled => _options.IsUsEnabled(TelnetOption.ComPort);

    /// <summary>The server declared a login dialogue (<see cref="TelnetOption.ConcentratorLogin"/>): its prompts are its own.</summary>
    public bool ServerDeclaredLogin => _options.IsHimEnabled(TelnetOption.ConcentratorLogin);

    /// <summary>Whether we send binary (else CR goes out as CR NUL).</summary>
    public bool SendBinary => _options.IsUsEnabled(TelnetOption.Binary);

    /// <summary>Whether the server sends binary (else CR NUL arrives for a CR).</summary>
    public bool ReceiveBinary => _options.IsHimEnabled(TelnetOption.Binary);

    /// <summary>The server echoes (it said WILL ECHO): a terminal must not echo locally.</summary>
    public bool ServerEchoes => _options.IsHimEnabled(TelnetOption.Echo);

    /// <summary>The opening offers. <paramref name="comPort"/> false for a plain telnet client.</summary>
    public void Start(IBufferWriter<byte> output, bool comPort = true)
    {
        ArgumentNullException.ThrowIfNull(output);
        _options.RequestUs(TelnetOption.Binary, output);
        _options.RequestUs(TelnetOption.SuppressGoAhead, output);
        if (comPort)
        {
            _options.RequestUs(TelnetOption.ComPort, output);
        }

        _options.RequestHim(TelnetOption.Binary, output);
        _options.RequestHim(TelnetOption.SuppressGoAhead, output);
    }

    /// <summary>Parses server bytes: data to <paramref name="data"/>, our answers to <paramref name="replies"/>.</summary>
    public void Receive(ReadOnlySpan<byte> input, IBufferWriter<byte> data, IBufferWriter<byte> replies, List<ServerEvent> events)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(events);
        while (_parser.Read(ref input, replies, out var token))
        {
            switch (token.Kind)
            {
                case TelnetTokenKind.Data:
                    data.Write(token.Bytes);
                    break;
                case TelnetTokenKind.Negotiation when token.Option == TelnetOption.ComPort && token.Change == OptionChange.UsEnabled:
                    events.Add(new ComPortActive());
                    break;
                case TelnetTokenKind.Subnegotiation when token.Option == TelnetOption.ComPort:
                    if (ParseReply(token.Bytes) is { } reply)
                    {
                        events.Add(reply);
                    }

                    break;
                default:
                    break; // NOP, GA, DM, AYT, BRK...: nothing for a client to do
            }
        }
    }

    /// <summary>Encodes data for the server: 0xFF doubled; CR as CR NUL while we are not binary.</summary>
    public void EncodeData(ReadOnlySpan<byte> data, IBufferWriter<byte> output) =>
        TelnetFraming.WriteData(output, data, SendBinary);

    /// <summary>IAC BRK (for servers without COM-PORT-OPTION).</summary>
    public static void TelnetBreak(IBufferWriter<byte> output)
    {
        var span = output.GetSpan(2);
        span[0] = TelnetCommand.Iac;
        span[1] = TelnetCommand.Brk;
        output.Advance(2);
    }

    /// <summary>SET-BAUDRATE (0 = query).</summary>
    public static void SetBaudRate(IBufferWriter<byte> output, uint baud)
    {
        Span<byte> value = stackalloc byte[5];
        value[0] = ComPortCommandCode.SetBaudRate;
        BinaryPrimitives.WriteUInt32BigEndian(value[1..], baud);
        WriteComPortCommand(output, value);
    }

    /// <summary>SET-DATASIZE (0 = query).</summary>
    public static void SetDataSize(IBufferWriter<byte> output, byte bits) =>
        WriteComPortCommand(output, [ComPortCommandCode.SetDataSize, bits]);

    /// <summary>SET-PARITY.</summary>
    public static void SetParity(IBufferWriter<byte> output, ComPortParity parity) =>
        WriteComPortCommand(output, [ComPortCommandCode.SetParity, (byte)parity]);

    /// <summary>SET-STOPSIZE.</summary>
    public static void SetStopSize(IBufferWriter<byte> output, ComPortStopSize stop) =>
        WriteComPortCommand(output, [ComPortCommandCode.SetStopSize, (byte)stop]);

    /// <summary>SET-CONTROL.</summary>
    public static void SetControl(IBufferWriter<byte> output, ComPortControl control) =>
        WriteComPortCommand(output, [ComPortCommandCode.SetControl, (byte)control]);

    /// <summary>PURGE-DATA.</summary>
    public static void Purge(IBufferWriter<byte> output, ComPortPurge target) =>
        WriteComPortCommand(output, [ComPortCommandCode.PurgeData, (byte)target]);

    // A COM-PORT subnegotiation from the server: its code, then the value.
    private static ServerEvent? ParseReply(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty || payload[0] < ComPortCommandCode.ServerOffset)
        {
            return null; // a client command from a server: not ours to answer
        }

        var code = payload[0];
        var value = payload[1..];
        return (code - ComPortCommandCode.ServerOffset, value.Length) switch
        {
            (ComPortCommandCode.Signature, _) => new SignatureIs(Encoding.UTF8.GetString(value)),
            (ComPortCommandCode.SetBaudRate, 4) => new BaudRateIs(BinaryPrimitives.ReadUInt32BigEndian(value)),
            (ComPortCommandCode.SetDataSize, 1) => new DataSizeIs(value[0]),
            (ComPortCommandCode.SetParity, 1) => new ParityIs((ComPortParity)value[0]),
            (ComPortCommandCode.SetStopSize, 1) => new StopSizeIs((ComPortStopSize)value[0]),
            (ComPortCommandCode.SetControl, 1) => new ControlIs((ComPortControl)value[0]),
            (ComPortCommandCode.NotifyLineState, 1) => new LineStateIs((LineState)value[0]),
            (ComPortCommandCode.NotifyModemState, 1) => new ModemStateIs((ModemState)value[0]),
            (ComPortCommandCode.FlowControlSuspend, _) => new FlowSuspended(true),
            (ComPortCommandCode.FlowControlResume, _) => new FlowSuspended(false),
            _ => new OtherComPortReply(code, value.Length),
        };
    }

    private static void WriteComPortCommand(IBufferWriter<byte> output, ReadOnlySpan<byte> payload) =>
        TelnetFraming.WriteSubnegotiation(output, TelnetOption.ComPort, payload);
}
