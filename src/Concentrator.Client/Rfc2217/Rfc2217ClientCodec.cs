using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Concentrator.Devices;
using Concentrator.Telnet;
using Concentrator.Telnet.Rfc2217;

namespace Concentrator.Client.Rfc2217;

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

/// <summary>
/// The client side of telnet and RFC 2217: opens with WILL/DO BINARY, WILL/DO SGA and WILL COM-PORT-OPTION,
/// answers the server's negotiation without loops (RFC 1143 style state per option and side), parses the
/// server's COM-PORT replies, undoes IAC doubling (and CR NUL while the server is not binary) on incoming
/// data, and encodes outgoing data and commands. Pure and resumable: input may be split anywhere.
/// Not thread-safe.
/// </summary>
public sealed class Rfc2217ClientCodec
{
    private const int MaxSubnegotiation = 512;

    // Options we agree to enable on our side (we WILL) and on the server's side (it WILL, we DO).
    private static readonly byte[] OurOptions = [TelnetOption.Binary, TelnetOption.SuppressGoAhead, TelnetOption.ComPort];
    private static readonly byte[] TheirOptions = [TelnetOption.Binary, TelnetOption.SuppressGoAhead, TelnetOption.Echo];

    private readonly OptionState[] _us = new OptionState[256];
    private readonly OptionState[] _him = new OptionState[256];
    private readonly List<byte> _sb = [];
    private State _state;
    private byte _verb;
    private bool _sbOverflow;

    private enum State { Data, Iac, Verb, Sb, SbIac, Cr }

    private enum OptionState : byte { No, WantYes, Yes }

    /// <summary>True once any telnet command arrived (a plain-text refusal line has none).</summary>
    public bool SawTelnet { get; private set; }

    /// <summary>The server agreed to COM-PORT-OPTION.</summary>
    public bool ComPortEnabled => _us[TelnetOption.ComPort] == OptionState.Yes;

    /// <summary>Whether we send binary (else CR goes out as CR NUL).</summary>
    public bool SendBinary => _us[TelnetOption.Binary] == OptionState.Yes;

    /// <summary>Whether the server sends binary (else CR NUL arrives for a CR).</summary>
    public bool ReceiveBinary => _him[TelnetOption.Binary] == OptionState.Yes;

    /// <summary>The server echoes (it said WILL ECHO): a terminal must not echo locally.</summary>
    public bool ServerEchoes => _him[TelnetOption.Echo] == OptionState.Yes;

    /// <summary>The opening offers. <paramref name="comPort"/> false for a plain telnet client.</summary>
    public void Start(IBufferWriter<byte> output, bool comPort = true)
    {
        foreach (var o in OurOptions)
        {
            if (o != TelnetOption.ComPort || comPort)
            {
                _us[o] = OptionState.WantYes;
                Negotiation(output, TelnetCommand.Will, o);
            }
        }

        foreach (var o in new[] { TelnetOption.Binary, TelnetOption.SuppressGoAhead })
        {
            _him[o] = OptionState.WantYes;
            Negotiation(output, TelnetCommand.Do, o);
        }
    }

    /// <summary>Parses server bytes: data to <paramref name="data"/>, our answers to <paramref name="replies"/>.</summary>
    public void Receive(ReadOnlySpan<byte> input, IBufferWriter<byte> data, IBufferWriter<byte> replies, List<ServerEvent> events)
    {
        foreach (var b in input)
        {
            switch (_state)
            {
                case State.Data:
                    if (b == TelnetCommand.Iac)
                    {
                        _state = State.Iac;
                    }
                    else
                    {
                        Put(data, b);
                        if (b == 13 && !ReceiveBinary)
                        {
                            _state = State.Cr;
                        }
                    }

                    break;
                case State.Cr:
                    _state = State.Data;
                    if (b == TelnetCommand.Iac)
                    {
                        _state = State.Iac;
                    }
                    else if (b != 0)
                    {
                        Put(data, b); // CR LF or CR x: keep; CR NUL: the NUL is dropped
                        if (b == 13)
                        {
                            _state = State.Cr;
                        }
                    }

                    break;
                case State.Iac:
                    SawTelnet = true;
                    switch (b)
                    {
                        case TelnetCommand.Iac:
                            Put(data, b);
                            _state = State.Data;
                            break;
                        case TelnetCommand.Will or TelnetCommand.Wont or TelnetCommand.Do or TelnetCommand.Dont:
                            _verb = b;
                            _state = State.Verb;
                            break;
                        case TelnetCommand.Sb:
                            _sb.Clear();
                            _sbOverflow = false;
                            _state = State.Sb;
                            break;
                        default:
                            _state = State.Data; // NOP, GA, DM, AYT...: nothing for a client to do
                            break;
                    }

                    break;
                case State.Verb:
                    _state = State.Data;
                    Negotiate(_verb, b, replies, events);
                    break;
                case State.Sb:
                    if (b == TelnetCommand.Iac)
                    {
                        _state = State.SbIac;
                    }
                    else
                    {
                        AddSb(b);
                    }

                    break;
                case State.SbIac:
                    if (b == TelnetCommand.Iac)
                    {
                        AddSb(b);
                        _state = State.Sb;
                    }
                    else
                    {
                        _state = State.Data;
                        if (b == TelnetCommand.Se && !_sbOverflow)
                        {
                            Subnegotiation(events);
                        }
                    }

                    break;
            }
        }
    }

    /// <summary>Encodes data for the server: 0xFF doubled; CR as CR NUL while we are not binary.</summary>
    public void EncodeData(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        var binary = SendBinary;
        var span = output.GetSpan(data.Length * 2);
        var n = 0;
        foreach (var b in data)
        {
            span[n++] = b;
            if (b == TelnetCommand.Iac)
            {
                span[n++] = TelnetCommand.Iac;
            }
            else if (b == 13 && !binary)
            {
                span[n++] = 0;
            }
        }

        output.Advance(n);
    }

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
        Subnegotiation(output, value);
    }

    /// <summary>SET-DATASIZE (0 = query).</summary>
    public static void SetDataSize(IBufferWriter<byte> output, byte bits) =>
        Subnegotiation(output, [ComPortCommandCode.SetDataSize, bits]);

    /// <summary>SET-PARITY.</summary>
    public static void SetParity(IBufferWriter<byte> output, ComPortParity parity) =>
        Subnegotiation(output, [ComPortCommandCode.SetParity, (byte)parity]);

    /// <summary>SET-STOPSIZE.</summary>
    public static void SetStopSize(IBufferWriter<byte> output, ComPortStopSize stop) =>
        Subnegotiation(output, [ComPortCommandCode.SetStopSize, (byte)stop]);

    /// <summary>SET-CONTROL.</summary>
    public static void SetControl(IBufferWriter<byte> output, ComPortControl control) =>
        Subnegotiation(output, [ComPortCommandCode.SetControl, (byte)control]);

    /// <summary>PURGE-DATA.</summary>
    public static void Purge(IBufferWriter<byte> output, ComPortPurge target) =>
        Subnegotiation(output, [ComPortCommandCode.PurgeData, (byte)target]);

    /// <summary>The commands for the fields of <paramref name="change"/> that are set.</summary>
    public static void SetLine(IBufferWriter<byte> output, LineChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.BaudRate is { } baud)
        {
            SetBaudRate(output, (uint)baud);
        }

        if (change.DataBits is { } bits)
        {
            SetDataSize(output, (byte)bits);
        }

        if (change.Parity is { } parity)
        {
            SetParity(output, parity switch
            {
                Parity.Odd => ComPortParity.Odd,
                Parity.Even => ComPortParity.Even,
                Parity.Mark => ComPortParity.Mark,
                Parity.Space => ComPortParity.Space,
                _ => ComPortParity.None,
            });
        }

        if (change.StopBits is { } stop)
        {
            SetStopSize(output, stop switch
            {
                StopBits.Two => ComPortStopSize.Two,
                StopBits.OnePointFive => ComPortStopSize.OnePointFive,
                _ => ComPortStopSize.One,
            });
        }

        if (change.FlowControl is { } flow)
        {
            SetControl(output, flow switch
            {
                FlowControl.XonXoff => ComPortControl.FlowControlXonXoff,
                FlowControl.RtsCts => ComPortControl.FlowControlHardware,
                _ => ComPortControl.FlowControlNone,
            });
        }
    }

    private static void Put(IBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }

    private void AddSb(byte b)
    {
        if (_sb.Count < MaxSubnegotiation)
        {
            _sb.Add(b);
        }
        else
        {
            _sbOverflow = true;
        }
    }

    private void Negotiate(byte verb, byte option, IBufferWriter<byte> replies, List<ServerEvent> events)
    {
        switch (verb)
        {
            case TelnetCommand.Do:
                if (!OurOptions.Contains(option))
                {
                    Negotiation(replies, TelnetCommand.Wont, option);
                }
                else if (_us[option] != OptionState.Yes)
                {
                    if (_us[option] == OptionState.No)
                    {
                        Negotiation(replies, TelnetCommand.Will, option);
                    }

                    _us[option] = OptionState.Yes;
                    if (option == TelnetOption.ComPort)
                    {
                        events.Add(new ComPortActive());
                    }
                }

                break;
            case TelnetCommand.Dont:
                if (_us[option] == OptionState.Yes)
                {
                    Negotiation(replies, TelnetCommand.Wont, option);
                }

                _us[option] = OptionState.No;
                break;
            case TelnetCommand.Will:
                if (!TheirOptions.Contains(option))
                {
                    Negotiation(replies, TelnetCommand.Dont, option);
                }
                else if (_him[option] != OptionState.Yes)
                {
                    if (_him[option] == OptionState.No)
                    {
                        Negotiation(replies, TelnetCommand.Do, option);
                    }

                    _him[option] = OptionState.Yes;
                }

                break;
            case TelnetCommand.Wont:
                if (_him[option] == OptionState.Yes)
                {
                    Negotiation(replies, TelnetCommand.Dont, option);
                }

                _him[option] = OptionState.No;
                break;
        }
    }

    private void Subnegotiation(List<ServerEvent> events)
    {
        if (_sb.Count < 2 || _sb[0] != TelnetOption.ComPort)
        {
            return;
        }

        var code = _sb[1];
        var value = _sb.Skip(2).ToArray();
        if (code < ComPortCommandCode.ServerOffset)
        {
            return; // a client command from a server: not ours to answer
        }

        ServerEvent e = (code - ComPortCommandCode.ServerOffset, value.Length) switch
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
        events.Add(e);
    }

    private static void Negotiation(IBufferWriter<byte> output, byte verb, byte option) =>
        TelnetFraming.WriteNegotiation(output, verb, option);

    private static void Subnegotiation(IBufferWriter<byte> output, ReadOnlySpan<byte> payload) =>
        TelnetFraming.WriteSubnegotiation(output, TelnetOption.ComPort, payload);
}

/// <summary>A partial change of line settings: only the set fields are sent.</summary>
public sealed record LineChange(
    int? BaudRate = null, int? DataBits = null, Parity? Parity = null, StopBits? StopBits = null, FlowControl? FlowControl = null)
{
    public bool IsEmpty => BaudRate is null && DataBits is null && Parity is null && StopBits is null && FlowControl is null;

    /// <summary>All fields of <paramref name="line"/>.</summary>
    public static LineChange From(LineSettings line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return new(line.BaudRate, line.DataBits, line.Parity, line.StopBits, line.FlowControl);
    }

    /// <summary>The fields that differ between <paramref name="before"/> and <paramref name="after"/>.</summary>
    public static LineChange Diff(LineSettings before, LineSettings after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return new(
            before.BaudRate != after.BaudRate ? after.BaudRate : null,
            before.DataBits != after.DataBits ? after.DataBits : null,
            before.Parity != after.Parity ? after.Parity : null,
            before.StopBits != after.StopBits ? after.StopBits : null,
            before.FlowControl != after.FlowControl ? after.FlowControl : null);
    }

    /// <summary>This change overridden by the set fields of <paramref name="later"/>.</summary>
    public LineChange Merge(LineChange later)
    {
        ArgumentNullException.ThrowIfNull(later);
        return new(later.BaudRate ?? BaudRate, later.DataBits ?? DataBits, later.Parity ?? Parity,
            later.StopBits ?? StopBits, later.FlowControl ?? FlowControl);
    }

    public override string ToString() =>
        string.Join(" ", new[]
        {
            BaudRate is { } b ? $"baud={b}" : null,
            DataBits is { } d ? $"data-bits={d}" : null,
            Parity is { } p ? $"parity={p.ToString().ToLowerInvariant()}" : null,
            StopBits is { } s ? $"stop-bits={(s == Devices.StopBits.One ? "1" : s == Devices.StopBits.Two ? "2" : "1.5")}" : null,
            FlowControl is { } f ? $"flow-control={f.ToString().ToLowerInvariant()}" : null,
        }.Where(x => x is not null));
}
