using Akka.Actor;
using Concentrator.Ports.Channels;
using Concentrator.Ports.DataPlane;
using Concentrator.Ports.Port;
using Concentrator.Ports.Sharing;
using Concentrator.Telnet;
using Concentrator.Telnet.Rfc2217;

namespace Concentrator.Ports.Session;

/// <summary>
/// A session's input path: the client is read with one receive outstanding, decoded in stream order, escape commands
/// taken out, bytes written to the port's data plane and device requests sent to the port with their slot; reading
/// resumes only while few writes are queued and replies do not pile up.
/// </summary>
public sealed partial class SessionActor
{
    /// <summary>
    /// Reads the client again unless something is still owed: the device is behind by MaxPendingWrites chunks (TCP
    /// backpressure paces a fast client), or replies to this client pile up because it does not read them (so a
    /// client that floods requests and never reads cannot grow the daemon's memory).
    /// </summary>
    private void ResumeReading()
    {
        if (_reading || _inputClosed || !_readClient || _pendingWrites >= MaxPendingWrites || _afterLeaseToken is not null)
        {
            return;
        }

        if (_output.IsOverCapacity)
        {
            _output.NotifyWhenSent();
            return; // OnSendDone, OutputProgress or the port's answer calls again
        }

        if (_comPort?.Backlog > MaxCommandBacklog)
        {
            return;
        }

        _reading = true;
        if (_controlChannel is not null)
        {
            _controlChannel.ReceiveInputAsync(_readBuffer.AsMemory()).AsTask().PipeTo(Self,
                success: input => input.Control is { } control ? new ClientControlRead(control) : new ClientRead(input.Count),
                failure: e => new ClientReadFailed(e.GetBaseException().Message));
            return;
        }

        _channel.ReceiveAsync(_readBuffer.AsMemory()).AsTask()
            .PipeTo(Self, success: n => new ClientRead(n), failure: e => new ClientReadFailed(e.GetBaseException().Message));
    }

    /// <summary>A control message from the browser terminal's toolbar: the same actions as the escape commands.</summary>
    private void OnClientControl(ClientControlRead read)
    {
        _reading = false;
        switch (read.Control)
        {
            case BreakControl:
                OnEscapeCommand('b');
                break;
            case WriteControl write:
                _port.Tell(new WriteLockRequest(write.Action));
                break;
            case ReplayControl:
                OnEscapeCommand('r');
                break;
            case WhoControl:
                OnEscapeCommand('w');
                break;
            case ResizeControl resize when TerminalSize.Of(resize.Columns, resize.Rows) is { } size:
                _port.Tell(new SessionResized(size)); // a serial console has no window size; the session list shows it
                break;
        }

        ResumeReading();
    }

    /// <summary>Decodes what the client sent into <see cref="_items"/> (replies to <see cref="_toClient"/>); false for a TLS hello on a plain listener.</summary>
    private bool Decode(int count)
    {
        if (IsTlsOnPlainListener(count))
        {
            return false;
        }

        _counters.AddIn(count);
        _items.Clear();
        _protocol.Decode(_readBuffer.AsSpan(0, count), _toClient, _items);
        return true;
    }

    private void OnClientRead(ClientRead read)
    {
        _reading = false;
        if (read.Count == 0)
        {
            _closeReason = "client closed";
            Drain();
            return;
        }

        if (!Decode(read.Count))
        {
            return;
        }

        if (read.Count == _readBuffer.Length && _readBuffer.Length < MaxReadBufferSize)
        {
            _readBuffer = new byte[MaxReadBufferSize]; // decoding copied the bytes out
        }

        ProcessItems(_items);
        FlushReplies();
        PumpSend(); // a FLOWCONTROL-RESUME may have released held output
        ResumeReading();
    }

    /// <summary>In stream order: data and commands reach the port (and the device) in the order the client sent them.</summary>
    private void ProcessItems(List<object> items) => ProcessScanned(ScanEscapes(items), 0);

    /// <summary>
    /// Handles <paramref name="items"/> (escapes already taken out) from <paramref name="start"/>. A lease token stops
    /// it: the rest waits in <see cref="_afterLeaseToken"/>, and the client is not read, until the port has decided the
    /// session's write right with the token (<see cref="OnLeaseTokenChecked"/>) — so what the client typed right after
    /// its token is written with the right that token gives, never dropped as a monitor's.
    /// </summary>
    private void ProcessScanned(List<object> items, int start)
    {
        for (var i = start; i < items.Count; i++)
        {
            var item = items[i];
            if (item is LeaseTokenPresented presented)
            {
                _port.Tell(new PresentLeaseToken(presented.Token));
                _afterLeaseToken = items.GetRange(i + 1, items.Count - i - 1); // a copy: the lists are reused per read
                return;
            }

            switch (item)
            {
                case byte[] data when _canWrite:
                    WriteToDevice(data);
                    break;
                case byte[]:
                    if (!_toldReadOnly)
                    {
                        _toldReadOnly = true;
                        Notice(_console.ReadOnlyInput());
                    }

                    break;
                case BreakReceived when _canWrite:
                    TellDevice(new PulseBreak(SessionConsole.BreakLength));
                    break;
                case ComPortEnabled or ComPortCommand when _comPort is not null:
                    Request(_comPort.Submit(item, _toClient));
                    SyncModemInterest();
                    break;
                case ComPortDisabled when _comPort is not null:
                    _comPort.OnDisabled();
                    SyncModemInterest();
                    break;
                case EscapeCommand command:
                    OnEscapeCommand(command.Letter, command.Argument);
                    break;
            }
        }
    }

    /// <summary>The port decided on the lease token: what the client sent after it is handled now, then reading goes on.</summary>
    private void OnLeaseTokenChecked(LeaseTokenChecked checkedToken)
    {
        if (_afterLeaseToken is not { } rest)
        {
            return;
        }

        _afterLeaseToken = null;
        if (!checkedToken.Holds)
        {
            Notice(SessionConsole.NotTheLeaseToken(_portSettings.Name));
        }

        ProcessScanned(rest, 0);
        FlushReplies();
        ResumeReading();
    }

    private List<object> ScanEscapes(List<object> items)
    {
        if (_escape is null)
        {
            return items;
        }

        _scanned.Clear();
        foreach (var item in items)
        {
            if (item is byte[] data)
            {
                _escape.Scan(data, _scanned);
            }
            else
            {
                _scanned.Add(item);
            }
        }

        return _scanned;
    }

    private void OnEscapeCommand(char letter, char? argument = null)
    {
        var action = _console.Command(letter, _canWrite, argument);
        if (action.ToPort is { } request)
        {
            _port.Tell(request);
        }

        if (action.Break)
        {
            TellDevice(new PulseBreak(SessionConsole.BreakLength));
        }

        if (action.Notice is { } notice)
        {
            Notice(notice);
        }

        if (action.Disconnect)
        {
            _closeReason = "disconnect command";
            Drain();
        }
    }

    /// <summary>Tells the port when this client starts or stops wanting modem-input changes (the device is read only then).</summary>
    private void SyncModemInterest()
    {
        if (_comPort is not null && _comPort.WantsModemLines != _watchingModem)
        {
            _watchingModem = _comPort.WantsModemLines;
            _port.Tell(new WatchModemLines(_watchingModem));
        }
    }

    private void Request(object? request)
    {
        if (request is not null)
        {
            TellDevice(request);
        }
    }

    /// <summary>
    /// Client bytes to the device, through the port's data plane in the order typed: written at once when the device
    /// takes them, else queued (or held while the device is not online) and answered with a <see cref="WriteCompleted"/>.
    /// The client is read again only while few writes are queued, so a slow device paces it through TCP.
    /// </summary>
    private void WriteToDevice(byte[] data)
    {
        switch (_input?.Write(data))
        {
            case WriteOutcome.Queued:
                _pendingWrites++;
                break;
            case WriteOutcome.Discarded:
                Discarded(data.Length);
                break;
            case WriteOutcome.NotPermitted:
                break; // the port took the right away; its RoleChanged says so
        }
    }

    /// <summary>
    /// A device request through the port (break, line settings, control lines, purge). While this session may write it
    /// takes its place in the device queue first, so the command lands between the bytes typed before and after it.
    /// </summary>
    private void TellDevice(object command)
    {
        _port.Tell(_input is not null && _canWrite ? new ViaSlot(_input.Reserve(), command) : command);
    }

    private void OnWriteCompleted(WriteCompleted done)
    {
        if (done.Result == WriteResult.Discarded)
        {
            Discarded(done.Bytes);
        }

        if (_pendingWrites > 0)
        {
            _pendingWrites--;
            ResumeReading(); // the device took a chunk: there is room to read the client again
        }
    }

    private void Discarded(int bytes)
    {
        _discarded += bytes;
        if (!_toldDiscarded)
        {
            _toldDiscarded = true; // once per outage; the total is in the disconnect log line
            Notice(SessionConsole.InputDiscarded);
        }
    }
}
