using System.Buffers;
using System.Text;
using Concentrator.Telnet.Rfc2217;

namespace Concentrator.Telnet;

/// <summary>
/// Server side of one telnet / RFC 2217 connection as a pure codec: bytes from the client in, device data,
/// negotiation replies and typed events out; device bytes in, telnet-encoded bytes out. No I/O, no threads;
/// not thread-safe (one instance per connection, used from one actor/thread at a time).
/// </summary>
/// <remarks>
/// <para>Telnet framing and option negotiation are a <see cref="TelnetParser"/>, kept between <c>Receive</c> calls,
/// so a TCP stream may be split anywhere. It never throws on any input, keeps at most
/// <see cref="MaxSubnegotiationLength"/> bytes of a subnegotiation (a longer one is discarded up to its IAC SE) and
/// resynchronises at the next IAC after garbage. This class adds what the server makes of it.</para>
/// <para>Options: the server offers WILL SGA, WILL ECHO (the device echoes, the server never does), WILL BINARY,
/// DO BINARY, and in <see cref="TelnetMode.Rfc2217"/> DO COM-PORT-OPTION. It accepts the client's WILL for
/// BINARY, SGA, NAWS (window size reported as <see cref="WindowSize"/>), TTYPE (asks with SEND, reported as
/// <see cref="TerminalType"/>) and, in RFC 2217 mode, COM-PORT-OPTION; everything else is refused
/// (WILL -> DONT, DO -> WONT). IP and AO are ignored, as are NOP, DM, GA, EC, EL. A subnegotiation of our option
/// 108 presents a lease token (<see cref="LeaseTokenPresented"/>) without any negotiation.</para>
/// </remarks>
public sealed class TelnetServerCodec
{
    /// <summary>Largest subnegotiation payload kept; longer ones are dropped.</summary>
    public const int MaxSubnegotiationLength = 256;

    /// <summary>What an IAC AYT is answered with.</summary>
    public static ReadOnlySpan<byte> AreYouThereAnswer => "\r\n[concentrator: yes]\r\n"u8;

    private static readonly byte[] TerminalTypeSend = [1];

    private readonly TelnetParser _parser = new(MaxSubnegotiationLength);
    private readonly OptionNegotiation _options;
    private readonly CollectingReceiver _collector = new();

    public TelnetServerCodec(TelnetMode mode, string signature = "Concentrator")
    {
        ArgumentNullException.ThrowIfNull(signature);
        Mode = mode;
        Signature = signature;
        _options = _parser.Options;
        _options.AllowUs(TelnetOption.Binary);
        _options.AllowUs(TelnetOption.Echo);
        _options.AllowUs(TelnetOption.SuppressGoAhead);
        _options.AllowHim(TelnetOption.Binary);
        _options.AllowHim(TelnetOption.SuppressGoAhead);
        _options.AllowHim(TelnetOption.WindowSize);
        _options.AllowHim(TelnetOption.TerminalType);
        if (mode == TelnetMode.Rfc2217)
        {
            _options.AllowHim(TelnetOption.ComPort);
        }
    }

    public TelnetMode Mode { get; }

    /// <summary>The text sent in answer to a SIGNATURE query.</summary>
    public string Signature { get; }

    /// <summary>COM-PORT-OPTION is active: the client WILLs it (or used it after our DO).</summary>
    public bool IsComPortEnabled => _options.IsHimEnabled(TelnetOption.ComPort);

    /// <summary>The client sends binary (no CR NUL translation of incoming data).</summary>
    public bool IsBinaryIn => _options.IsHimEnabled(TelnetOption.Binary);

    /// <summary>The server sends binary (no CR -> CR NUL translation by <see cref="EncodeData"/>).</summary>
    public bool IsBinaryOut => _options.IsUsEnabled(TelnetOption.Binary);

    /// <summary>
    /// The client sent FLOWCONTROL-SUSPEND and no FLOWCONTROL-RESUME since: the session should hold device data
    /// for this client. Tracked for convenience; the events are reported as well. Cleared when COM-PORT-OPTION goes off.
    /// </summary>
    public bool IsOutputSuspendedByClient { get; private set; }

    /// <summary>The client's last NAWS report, if any.</summary>
    public WindowSize? LastWindowSize { get; private set; }

    /// <summary>The client's terminal type, if it reported one.</summary>
    public string? ClientTerminalType { get; private set; }

    /// <summary>Bytes of subnegotiation currently buffered (diagnostic; never above the capacity).</summary>
    internal int SubnegotiationLength => _parser.SubnegotiationLength;

    /// <summary>Size of the subnegotiation buffer (diagnostic; fixed).</summary>
    internal int SubnegotiationCapacity => _parser.MaxSubnegotiationLength;

    /// <summary>The server's side of <paramref name="option"/> is enabled (we WILL).</summary>
    public bool IsEnabledLocally(byte option) => _options.IsUsEnabled(option);

    /// <summary>The client's side of <paramref name="option"/> is enabled (he WILLs).</summary>
    public bool IsEnabledRemotely(byte option) => _options.IsHimEnabled(option);

    /// <summary>Writes the initial offers (WILL SGA, WILL ECHO, WILL BINARY, DO BINARY, and DO 44 in RFC 2217 mode).
    /// Calling it again sends nothing already pending or agreed.</summary>
    public void Start(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _options.RequestUs(TelnetOption.SuppressGoAhead, output);
        _options.RequestUs(TelnetOption.Echo, output);
        _options.RequestUs(TelnetOption.Binary, output);
        _options.RequestHim(TelnetOption.Binary, output);
        if (Mode == TelnetMode.Rfc2217)
        {
            _options.RequestHim(TelnetOption.ComPort, output);
        }
    }

    /// <summary>A login dialogue starts: offers <see cref="TelnetOption.ConcentratorLogin"/>, written before its prompt.</summary>
    public void DeclareLogin(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _options.AllowUs(TelnetOption.ConcentratorLogin);
        _options.RequestUs(TelnetOption.ConcentratorLogin, output);
    }

    /// <summary>
    /// Parses bytes from the client. Data and events go to <paramref name="receiver"/> in stream order;
    /// negotiation answers (and AYT / SIGNATURE-query answers) go to <paramref name="replyToClient"/>.
    /// </summary>
    public void Receive(ReadOnlySpan<byte> input, IBufferWriter<byte> replyToClient, ITelnetReceiver receiver)
    {
        ArgumentNullException.ThrowIfNull(replyToClient);
        ArgumentNullException.ThrowIfNull(receiver);

        while (_parser.Read(ref input, replyToClient, out var token))
        {
            switch (token.Kind)
            {
                case TelnetTokenKind.Data:
                    receiver.OnData(token.Bytes);
                    break;
                case TelnetTokenKind.Command:
                    Command(token.Code, replyToClient, receiver);
                    break;
                case TelnetTokenKind.Negotiation:
                    Negotiated(token.Option, token.Change, replyToClient, receiver);
                    break;
                default: // Subnegotiation
                    Subnegotiation(token.Option, token.Bytes, replyToClient, receiver);
                    break;
            }
        }
    }

    /// <summary>
    /// Parses bytes from the client into separate outputs. Convenient when the relative order of data and events
    /// does not matter; otherwise use the <see cref="ITelnetReceiver"/> overload.
    /// </summary>
    public void Receive(
        ReadOnlySpan<byte> input, IBufferWriter<byte> dataToDevice, IBufferWriter<byte> replyToClient, ICollection<TelnetEvent> events)
    {
        ArgumentNullException.ThrowIfNull(dataToDevice);
        ArgumentNullException.ThrowIfNull(events);
        _collector.Data = dataToDevice;
        _collector.Events = events;
        try
        {
            Receive(input, replyToClient, _collector);
        }
        finally
        {
            _collector.Data = null;
            _collector.Events = null;
        }
    }

    /// <summary>
    /// Encodes device bytes for the client: every 0xFF is doubled; when our side is not binary, every CR becomes
    /// CR NUL (so a client applying the NVT rule gets exactly the device's bytes back).
    /// </summary>
    public void EncodeData(ReadOnlySpan<byte> deviceBytes, IBufferWriter<byte> output) =>
        TelnetFraming.WriteData(output, deviceBytes, IsBinaryOut);

    /// <summary>Writes an unsolicited SIGNATURE (100) with <see cref="Signature"/>.</summary>
    public void WriteSignature(IBufferWriter<byte> output) => ComPortReply.Signature(output, Signature);

    private static void Command(byte command, IBufferWriter<byte> reply, ITelnetReceiver receiver)
    {
        switch (command)
        {
            case TelnetCommand.Brk:
                receiver.OnEvent(BreakReceived.Instance);
                break;
            case TelnetCommand.Ayt:
                reply.Write(AreYouThereAnswer);
                break;
            default:
                // NOP, DM, GA, EC, EL, IP, AO, a stray SE and unknown bytes: ignored.
                break;
        }
    }

    // The parser has already answered; this is what an accepted or withdrawn option means to the server.
    private void Negotiated(byte option, OptionChange change, IBufferWriter<byte> reply, ITelnetReceiver receiver)
    {
        if (change == OptionChange.HimEnabled)
        {
            OnHimEnabled(option, reply, receiver);
        }
        else if (change == OptionChange.HimDisabled && option == TelnetOption.ComPort)
        {
            IsOutputSuspendedByClient = false;
            receiver.OnEvent(ComPortDisabled.Instance);
        }
    }

    private static void OnHimEnabled(byte option, IBufferWriter<byte> reply, ITelnetReceiver receiver)
    {
        if (option == TelnetOption.ComPort)
        {
            receiver.OnEvent(ComPortEnabled.Instance);
        }
        else if (option == TelnetOption.TerminalType)
        {
            TelnetFraming.WriteSubnegotiation(reply, TelnetOption.TerminalType, TerminalTypeSend);
        }
    }

    private void Subnegotiation(byte option, ReadOnlySpan<byte> payload, IBufferWriter<byte> reply, ITelnetReceiver receiver)
    {
        switch (option)
        {
            case TelnetOption.ComPort when Mode == TelnetMode.Rfc2217:
                if (_options.ImplicitHimEnable(TelnetOption.ComPort))
                {
                    OnHimEnabled(TelnetOption.ComPort, reply, receiver);
                }

                if (!IsComPortEnabled)
                {
                    return;
                }

                var command = ComPortParser.Parse(payload);
                if (command is null)
                {
                    return;
                }

                switch (command)
                {
                    case Rfc2217.Signature { Text: null }:
                        ComPortReply.Signature(reply, Signature);
                        break;
                    case FlowControlSuspend:
                        IsOutputSuspendedByClient = true;
                        break;
                    case FlowControlResume:
                        IsOutputSuspendedByClient = false;
                        break;
                    default:
                        break;
                }

                receiver.OnEvent(command);
                break;

            case TelnetOption.WindowSize when payload.Length == 4 && _options.IsHimEnabled(TelnetOption.WindowSize):
                var size = new WindowSize((ushort)((payload[0] << 8) | payload[1]), (ushort)((payload[2] << 8) | payload[3]));
                LastWindowSize = size;
                receiver.OnEvent(size);
                break;

            case TelnetOption.TerminalType when payload.Length >= 1 && payload[0] == 0 && _options.IsHimEnabled(TelnetOption.TerminalType):
                var name = Encoding.Latin1.GetString(payload[1..]);
                ClientTerminalType = name;
                receiver.OnEvent(new TerminalType(name));
                break;

            case TelnetOption.ConcentratorLeaseToken when LeaseTokenPresented.Parse(payload) is { } presented:
                receiver.OnEvent(presented);
                break;

            default:
                break;
        }
    }

    private sealed class CollectingReceiver : ITelnetReceiver
    {
        public IBufferWriter<byte>? Data { get; set; }

        public ICollection<TelnetEvent>? Events { get; set; }

        public void OnData(ReadOnlySpan<byte> data) => Data!.Write(data);

        public void OnEvent(TelnetEvent telnetEvent) => Events!.Add(telnetEvent);
    }
}
