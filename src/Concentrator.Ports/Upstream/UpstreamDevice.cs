using System.Buffers;
using System.Net.Sockets;
using Concentrator.Devices;
using Concentrator.Telnet.Rfc2217;

namespace Concentrator.Ports.Upstream;

/// <summary>
/// A port's device on another server: <c>tcp://</c> (raw bytes), <c>telnet://</c> (binary telnet) or <c>rfc2217://</c>
/// (telnet with COM-PORT-OPTION, so line settings, control lines and break go to the upstream's serial port and its
/// modem state comes back). The threading of <see cref="ISerialDevice"/> holds: the pump's reader blocks in
/// <see cref="Read"/> (a socket receive), the plane's worker in <see cref="Write"/> (a socket send), and nothing here
/// runs on an actor. A closed connection is a <see cref="DeviceFaultException"/>, and the device link reconnects with
/// backoff as it reopens an unplugged adapter.
/// </summary>
/// <remarks>
/// Who receives: whoever holds <c>_receive</c> — the pump's reader, blocked in <see cref="Read"/>, or, while no reader
/// runs (during the open, or while reading is paused), a control call that waits for the upstream's answers and
/// receives for itself. Data such a call decodes waits in <c>_pending</c> (bounded by <see cref="PendingLimit"/>)
/// for the next <see cref="Read"/>. Telnet answers go out under <c>_send</c>, between data writes.
/// </remarks>
public sealed partial class UpstreamDevice : ISerialDevice
{
    private const int ReceiveBufferSize = 16 * 1024;
    private const int PendingLimit = 64 * 1024;
    private readonly Socket _socket;
    private readonly DeviceAddress _address;
    private readonly Rfc2217ClientCodec? _codec; // null for tcp://
    private readonly Lock _codecLock = new();
    private readonly Lock _receive = new();
    private readonly Lock _send = new();
    private readonly object _state = new(); // guards _pending, _events, _modem; pulsed when events arrive
    private readonly ArrayBufferWriter<byte> _pending = new();
    private readonly List<ServerEvent> _events = [];
    private readonly byte[] _receiveBuffer = new byte[ReceiveBufferSize];
    private int _pendingStart;
    private ModemStatus? _modem;
    private volatile bool _disposed;

    private UpstreamDevice(Socket socket, DeviceAddress address)
    {
        _socket = socket;
        _address = address;
        _codec = address.Kind == DeviceKind.Tcp ? null : new Rfc2217ClientCodec();
        KernelNode = socket.RemoteEndPoint?.ToString() ?? $"{address.Host}:{address.Port}";
        Capabilities = address.Kind switch
        {
            DeviceKind.Rfc2217 => DeviceCapabilities.ControlLines | DeviceCapabilities.ModemStatus | DeviceCapabilities.Break | DeviceCapabilities.MarkSpaceParity,
            DeviceKind.Telnet => DeviceCapabilities.Break,
            _ => DeviceCapabilities.None,
        };
    }

    /// <inheritdoc />
    public string Path => _address.Text;

    /// <inheritdoc />
    public string KernelNode { get; }

    /// <inheritdoc />
    public DeviceCapabilities Capabilities { get; }

    private string Where => $"{_address.Host}:{_address.Port}";

    /// <summary>Connects and, for telnet and RFC 2217, opens the negotiation (RFC 2217: waits for COM-PORT-OPTION).</summary>
    /// <exception cref="DeviceFaultException">Refused, timed out, unknown host, or no RFC 2217 at the other end.</exception>
    public static UpstreamDevice Connect(DeviceAddress address, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(address);
        var socket = UpstreamConnect.Open(address.Host, address.Port, timeout);
        var device = new UpstreamDevice(socket, address);
        try
        {
            device.Start(timeout);
            return device;
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    private void Start(TimeSpan timeout)
    {
        if (_codec is null)
        {
            return;
        }

        var opening = new ArrayBufferWriter<byte>();
        lock (_codecLock)
        {
            _codec.Start(opening, comPort: _address.Kind == DeviceKind.Rfc2217);
        }

        Send(opening.WrittenSpan);
        if (_address.Kind == DeviceKind.Rfc2217 &&
            !WaitFor(events => events.Any(e => e is ComPortActive), timeout))
        {
            throw new DeviceFaultException($"{Where} does not speak RFC 2217 (no COM-PORT-OPTION within {timeout.TotalSeconds:0} s)");
        }
    }

    /// <inheritdoc />
    public int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty || _disposed)
        {
            return 0;
        }

        lock (_receive)
        {
            while (true)
            {
                var taken = TakePending(buffer);
                if (taken > 0)
                {
                    return taken;
                }

                if (_codec is null)
                {
                    return ReceiveOnce(buffer); // raw: straight into the caller's buffer
                }

                var n = ReceiveOnce(_receiveBuffer);
                if (n == 0)
                {
                    return 0; // disposed
                }

                Decode(_receiveBuffer.AsSpan(0, n));
            }
        }
    }

    /// <summary>One blocking receive; 0 only when disposed; a closed or broken connection is a fault.</summary>
    private int ReceiveOnce(Span<byte> into)
    {
        int n;
        try
        {
            n = _socket.Receive(into);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            if (_disposed)
            {
                return 0;
            }

            throw new DeviceFaultException($"connection to {Where} lost: {UpstreamConnect.Describe(e)}", e);
        }

        if (n == 0)
        {
            if (_disposed)
            {
                return 0;
            }

            throw new DeviceFaultException($"{Where} closed the connection");
        }

        return n;
    }

    private int TakePending(Span<byte> buffer)
    {
        lock (_state)
        {
            var available = _pending.WrittenCount - _pendingStart;
            if (available == 0)
            {
                return 0;
            }

            var n = Math.Min(available, buffer.Length);
            _pending.WrittenSpan.Slice(_pendingStart, n).CopyTo(buffer);
            _pendingStart += n;
            if (_pendingStart == _pending.WrittenCount)
            {
                _pending.ResetWrittenCount();
                _pendingStart = 0;
            }

            return n;
        }
    }

    /// <summary>Decodes received bytes: data to the pending buffer, answers to the server, events to waiters.</summary>
    private void Decode(ReadOnlySpan<byte> input)
    {
        var data = new ArrayBufferWriter<byte>(input.Length);
        var replies = new ArrayBufferWriter<byte>();
        var events = new List<ServerEvent>();
        lock (_codecLock)
        {
            _codec!.Receive(input, data, replies, events);
        }

        if (replies.WrittenCount > 0)
        {
            Send(replies.WrittenSpan);
        }

        lock (_state)
        {
            _pending.Write(data.WrittenSpan);
            foreach (var e in events)
            {
                if (e is ModemStateIs modem)
                {
                    _modem = (ModemStatus)((byte)modem.State & 0xF0);
                }
                else if (e is ComPortActive || IsLineReply(e))
                {
                    _events.Add(e); // only what a control call waits for; other replies and notices would pile up for the connection's life
                }
            }

            if (events.Count > 0)
            {
                Monitor.PulseAll(_state);
            }
        }
    }

    /// <inheritdoc />
    public void Write(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_codec is null)
        {
            Send(data);
            return;
        }

        var encoded = new ArrayBufferWriter<byte>(data.Length + 16);
        lock (_codecLock)
        {
            _codec.EncodeData(data, encoded);
        }

        Send(encoded.WrittenSpan);
    }

    private void Send(ReadOnlySpan<byte> bytes)
    {
        lock (_send)
        {
            try
            {
                while (!bytes.IsEmpty)
                {
                    bytes = bytes[_socket.Send(bytes)..];
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                throw new DeviceFaultException($"connection to {Where} lost: {UpstreamConnect.Describe(e)}", e);
            }
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            _socket.Shutdown(SocketShutdown.Both); // wakes a blocked receive and send
        }
        catch (SocketException)
        {
            // not connected any more: nothing to wake
        }

        _socket.Dispose();
    }
}
