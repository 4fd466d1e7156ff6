using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using Concentrator.Devices;
using Concentrator.Ports.Rfc2217;
using Concentrator.Telnet.Rfc2217;

namespace Concentrator.Ports.Upstream;

/// <summary>Line settings, control lines, break and purge, forwarded to an RFC 2217 upstream (or to a telnet one where it can).</summary>
public sealed partial class UpstreamDevice
{
    /// <summary>How long line settings wait for the upstream's answers; what it has not answered by then is taken as asked.</summary>
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(2);

    /// <inheritdoc />
    public LineSettings Apply(LineSettings wanted)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_address.Kind != DeviceKind.Rfc2217)
        {
            return wanted; // the line is the far end's business: nothing to set, nothing to report
        }

        lock (_state)
        {
            _events.RemoveAll(IsLineReply);
        }

        var commands = new ArrayBufferWriter<byte>();
        Rfc2217ClientCodec.SetBaudRate(commands, (uint)wanted.BaudRate);
        Rfc2217ClientCodec.SetDataSize(commands, (byte)wanted.DataBits);
        Rfc2217ClientCodec.SetParity(commands, ComPortLine.Of(wanted.Parity));
        Rfc2217ClientCodec.SetStopSize(commands, ComPortLine.Of(wanted.StopBits));
        Rfc2217ClientCodec.SetControl(commands, ComPortLine.Of(wanted.FlowControl));
        Send(commands.WrittenSpan);
        _ = WaitFor(events => events.Count(IsLineReply) >= 5, ReplyTimeout);
        lock (_state)
        {
            var inEffect = _events.Where(IsLineReply).Aggregate(wanted, ComPortLine.With);
            _events.RemoveAll(IsLineReply);
            return inEffect;
        }
    }

    private static bool IsLineReply(ServerEvent e) =>
        e is BaudRateIs or DataSizeIs or ParityIs or StopSizeIs or ControlIs { Value: <= ComPortControl.FlowControlHardware };

    /// <inheritdoc />
    public bool SetBreak(bool on)
    {
        switch (_address.Kind)
        {
            case DeviceKind.Rfc2217:
                return Control(on ? ComPortControl.BreakOn : ComPortControl.BreakOff);
            case DeviceKind.Telnet when on:
                var brk = new ArrayBufferWriter<byte>(2);
                Rfc2217ClientCodec.TelnetBreak(brk);
                Send(brk.WrittenSpan);
                return true;
            case DeviceKind.Telnet:
                return true; // IAC BRK is a whole break: nothing to end
            default:
                return false;
        }
    }

    /// <inheritdoc />
    public bool SetDtr(bool on) => _address.Kind == DeviceKind.Rfc2217 && Control(on ? ComPortControl.DtrOn : ComPortControl.DtrOff);

    /// <inheritdoc />
    public bool SetRts(bool on) => _address.Kind == DeviceKind.Rfc2217 && Control(on ? ComPortControl.RtsOn : ComPortControl.RtsOff);

    private bool Control(ComPortControl value)
    {
        var command = new ArrayBufferWriter<byte>(8);
        Rfc2217ClientCodec.SetControl(command, value);
        Send(command.WrittenSpan);
        return true;
    }

    /// <inheritdoc />
    /// <remarks>The state the upstream last notified (NOTIFY-MODEMSTATE); never waits.</remarks>
    public ModemStatus? ReadModemStatus()
    {
        if (_address.Kind != DeviceKind.Rfc2217)
        {
            return null;
        }

        lock (_state)
        {
            return _modem ?? ModemStatus.None;
        }
    }

    /// <inheritdoc />
    public void Purge(PurgeTarget target)
    {
        if ((target & PurgeTarget.Receive) != 0)
        {
            lock (_state)
            {
                _pending.ResetWrittenCount();
                _pendingStart = 0;
            }
        }

        if (_address.Kind == DeviceKind.Rfc2217)
        {
            var command = new ArrayBufferWriter<byte>(8);
            Rfc2217ClientCodec.Purge(command, target switch
            {
                PurgeTarget.Receive => ComPortPurge.Receive,
                PurgeTarget.Transmit => ComPortPurge.Transmit,
                _ => ComPortPurge.Both,
            });
            Send(command.WrittenSpan);
        }
    }

    /// <summary>
    /// Waits until <paramref name="done"/> holds for the events received so far, receiving for itself while no reader
    /// does (the reader, when there is one, decodes and pulses). False at the timeout.
    /// </summary>
    private bool WaitFor(Func<List<ServerEvent>, bool> done, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            lock (_state)
            {
                if (done(_events))
                {
                    return true;
                }
            }

            if (_receive.TryEnter())
            {
                try
                {
                    ReceiveForControl();
                }
                finally
                {
                    _receive.Exit();
                }
            }
            else
            {
                lock (_state)
                {
                    if (!done(_events))
                    {
                        Monitor.Wait(_state, 50);
                    }
                }
            }
        }

        lock (_state)
        {
            return done(_events);
        }
    }

    // No reader is in Read: take what has arrived (up to the pending bound), waiting at most 50 ms for it.
    private void ReceiveForControl()
    {
        bool full;
        lock (_state)
        {
            full = _pending.WrittenCount - _pendingStart >= PendingLimit;
        }

        if (full || _disposed)
        {
            Thread.Sleep(50); // the session side is behind: leave the rest in the socket
            return;
        }

        if (_socket.Poll(50_000, SelectMode.SelectRead))
        {
            var n = ReceiveOnce(_receiveBuffer);
            if (n > 0)
            {
                Decode(_receiveBuffer.AsSpan(0, n));
            }
        }
    }
}
