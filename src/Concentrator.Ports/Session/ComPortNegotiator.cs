using System.Buffers;
using Concentrator.Devices;
using Concentrator.Ports.Port;
using Concentrator.Ports.Rfc2217;
using Concentrator.Telnet.Rfc2217;

namespace Concentrator.Ports.Session;

/// <summary>
/// The server side of RFC 2217 for one session: turns client COM-PORT commands into port requests, one at a
/// time and in order, and answers each with the value actually in effect once the port has applied it.
/// Read-only sessions ask instead of change, so they get the current values back. No Akka: the session actor
/// sends what <see cref="Submit"/> and <see cref="OnLineState"/> return and writes the replies they produce.
/// </summary>
internal sealed class ComPortNegotiator(bool readOnly)
{
    private readonly Queue<object> _pending = new();
    private readonly ModemStateNotifier _notifier = new();
    private bool _waiting;
    private bool _enabled;
    private PortLineState? _last;

    /// <summary>The line-state mask a client set; we report no line-state events, but echo the mask as RFC 2217 asks.</summary>
    public PortLineState? Last => _last;

    /// <summary>Whether the client has suspended our output (FLOWCONTROL-SUSPEND).</summary>
    public bool OutputSuspended { get; private set; }

    /// <summary>Commands waiting for an answer from the port.</summary>
    public int Backlog => _pending.Count;

    /// <summary>
    /// Whether this client is to hear of modem-input changes: COM-PORT-OPTION is on and its SET-MODEMSTATE-MASK (255
    /// until it sets one, as RFC 2217 says) lets something through.
    /// </summary>
    public bool WantsModemLines => _enabled && _notifier.Mask != 0;

    /// <summary>The client turned COM-PORT-OPTION off: nothing it asked for earlier may keep our output paused.</summary>
    public void OnDisabled()
    {
        OutputSuspended = false;
        _enabled = false;
    }

    /// <summary>Takes a command (or <see cref="Concentrator.Telnet.ComPortEnabled"/>); returns a request for the port, if one is due now.</summary>
    public object? Submit(object command, IBufferWriter<byte> toClient)
    {
        _enabled |= command is Concentrator.Telnet.ComPortEnabled;
        _pending.Enqueue(command);
        return _waiting ? null : Advance(toClient);
    }

    /// <summary>The port answered the outstanding request; replies to it and returns the next request, if any.</summary>
    public object? OnLineState(PortLineState state, IBufferWriter<byte> toClient)
    {
        _last = state;
        if (_waiting && _pending.TryDequeue(out var command))
        {
            _waiting = false;
            Reply(command, state, toClient);
        }

        return Advance(toClient);
    }

    /// <summary>Modem inputs changed: notify the client if its mask lets the change through.</summary>
    public void OnModemStatus(ModemStatus status, bool comPortEnabled, IBufferWriter<byte> toClient)
    {
        if (_last is not null)
        {
            _last = _last with { Modem = status };
        }

        if (comPortEnabled && _notifier.LastState is not null && _notifier.TryNotify((ModemState)status, force: false, out var value))
        {
            ComPortReply.NotifyModemState(toClient, value);
        }
    }

    private object? Advance(IBufferWriter<byte> toClient)
    {
        while (_pending.TryPeek(out var command))
        {
            if (RequestFor(command) is { } request)
            {
                _waiting = true;
                return request;
            }

            _pending.Dequeue();
            Reply(command, _last, toClient);
        }

        return null;
    }

    /// <summary>The port request a command needs, or null when it is answered locally.</summary>
    private object? RequestFor(object command)
    {
        switch (command)
        {
            case Concentrator.Telnet.ComPortEnabled or ModemStatePoll:
                return _last is null ? ChangeLine.Query : null;
            case SetBaudRate b:
                return readOnly || b.IsQuery ? ChangeLine.Query : new ChangeLine(BaudRate: (int)Math.Min(b.Requested, int.MaxValue));
            case SetDataSize d:
                return readOnly || d.Requested is < 5 or > 8 ? ChangeLine.Query : new ChangeLine(DataBits: d.Requested);
            case SetParity p:
                return readOnly || ComPortLine.ToParity(p.Requested) is not { } parity ? ChangeLine.Query : new ChangeLine(Parity: parity);
            case SetStopSize s:
                return readOnly || ComPortLine.ToStopBits(s.Requested) is not { } stop ? ChangeLine.Query : new ChangeLine(StopBits: stop);
            case SetControl c:
                return readOnly ? ChangeLine.Query : ControlRequest(c.Code);
            case PurgeData p:
                return new PurgeBuffers(p.Target switch
                {
                    ComPortPurge.Receive => PurgeTarget.Receive,
                    ComPortPurge.Transmit => PurgeTarget.Transmit,
                    _ => PurgeTarget.Both,
                });
            default:
                return null;
        }
    }

    private static object ControlRequest(ComPortControl code) => code switch
    {
        _ when ComPortLine.ToFlowControl(code) is { } flow => new ChangeLine(FlowControl: flow),
        ComPortControl.BreakOn => new ChangeControl(Break: true),
        ComPortControl.BreakOff => new ChangeControl(Break: false),
        ComPortControl.DtrOn => new ChangeControl(Dtr: true),
        ComPortControl.DtrOff => new ChangeControl(Dtr: false),
        ComPortControl.RtsOn => new ChangeControl(Rts: true),
        ComPortControl.RtsOff => new ChangeControl(Rts: false),
        _ => ChangeLine.Query, // queries, and DCD/DTR/DSR flow control, which we do not offer: answer with what is in effect
    };

    private void Reply(object command, PortLineState? state, IBufferWriter<byte> toClient)
    {
        switch (command)
        {
            case Concentrator.Telnet.ComPortEnabled:
                // RFC 2217: the current modem state right after the option is enabled.
                _notifier.Reset();
                if (state is not null && _notifier.TryNotify((ModemState)state.Modem, force: true, out var initial))
                {
                    ComPortReply.NotifyModemState(toClient, initial);
                }

                break;
            case ModemStatePoll when state is not null:
                if (_notifier.TryNotify((ModemState)state.Modem, force: true, out var polled))
                {
                    ComPortReply.NotifyModemState(toClient, polled);
                }

                break;
            case SetBaudRate when state is not null:
                ComPortReply.BaudRate(toClient, (uint)state.Line.BaudRate);
                break;
            case SetDataSize when state is not null:
                ComPortReply.DataSize(toClient, (byte)state.Line.DataBits);
                break;
            case SetParity when state is not null:
                ComPortReply.Parity(toClient, ComPortLine.Of(state.Line.Parity));
                break;
            case SetStopSize when state is not null:
                ComPortReply.StopSize(toClient, ComPortLine.Of(state.Line.StopBits));
                break;
            case SetControl c when state is not null:
                ComPortReply.Control(toClient, ControlAnswer(c.Code, state));
                break;
            case PurgeData p:
                ComPortReply.PurgeData(toClient, p.Target);
                break;
            case SetModemStateMask m:
                _notifier.Mask = m.Mask;
                ComPortReply.ModemStateMask(toClient, m.Mask);
                break;
            case SetLineStateMask m:
                ComPortReply.LineStateMask(toClient, m.Mask);
                break;
            case FlowControlSuspend:
                OutputSuspended = true;
                break;
            case FlowControlResume:
                OutputSuspended = false;
                break;
        }
    }

    private static ComPortControl ControlAnswer(ComPortControl code, PortLineState state)
    {
        var flow = state.Line.FlowControl;
        return code switch
        {
            ComPortControl.QueryBreak or ComPortControl.BreakOn or ComPortControl.BreakOff =>
                state.Break ? ComPortControl.BreakOn : ComPortControl.BreakOff,
            ComPortControl.QueryDtr or ComPortControl.DtrOn or ComPortControl.DtrOff =>
                state.Dtr ? ComPortControl.DtrOn : ComPortControl.DtrOff,
            ComPortControl.QueryRts or ComPortControl.RtsOn or ComPortControl.RtsOff =>
                state.Rts ? ComPortControl.RtsOn : ComPortControl.RtsOff,
            >= ComPortControl.QueryInboundFlowControl => flow switch
            {
                FlowControl.XonXoff => ComPortControl.InboundFlowControlXonXoff,
                FlowControl.RtsCts => ComPortControl.InboundFlowControlHardware,
                _ => ComPortControl.InboundFlowControlNone,
            },
            _ => ComPortLine.Of(flow),
        };
    }
}
