using System.IO.Ports;
using IoParity = System.IO.Ports.Parity;
using IoStopBits = System.IO.Ports.StopBits;

namespace Concentrator.Devices.SystemIoPorts;

/// <summary>
/// A serial device through <see cref="SerialPort"/> (portable; on Linux slower than the posix backend and
/// without mark/space parity or custom rates beyond what the runtime maps). Reads and writes go through
/// <see cref="SerialPort.BaseStream"/>. On a fault or on disposal only the base stream is disposed:
/// <see cref="SerialPort.Close"/> is never called because it can hang after a USB adapter was unplugged.
/// </summary>
public sealed class SystemIoPortsDevice : ISerialDevice
{
    private readonly SerialPort _port;
    private readonly Stream _stream;
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _controlLock = new();
    private volatile bool _disposed;
    private int _disposeStarted;
    private int _streamDisposed;

    private SystemIoPortsDevice(string path, SerialPort port, DeviceCapabilities capabilities)
    {
        Path = path;
        _port = port;
        _stream = port.BaseStream;
        Capabilities = capabilities;
        KernelNode = ResolveNode(path);
    }

    /// <inheritdoc />
    public string Path { get; }

    /// <inheritdoc />
    public string KernelNode { get; }

    /// <inheritdoc />
    public DeviceCapabilities Capabilities { get; }

    /// <summary>Opens the port with infinite timeouts. Call <see cref="Apply"/> for the line settings.</summary>
    /// <exception cref="DeviceFaultException">The port does not exist or cannot be opened.</exception>
    public static SystemIoPortsDevice Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var port = new SerialPort(path)
        {
            ReadTimeout = SerialPort.InfiniteTimeout,
            WriteTimeout = SerialPort.InfiniteTimeout,
            Handshake = Handshake.None,
        };
        try
        {
            port.Open();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException
                                       or InvalidOperationException)
        {
            port.Dispose();
            var errno = ex switch
            {
                FileNotFoundException or DirectoryNotFoundException => 2, // ENOENT
                UnauthorizedAccessException => 13, // EACCES
                _ => 0,
            };
            var what = errno == 2 ? "does not exist" : $"cannot be opened: {ex.Message}";
            throw new DeviceFaultException($"Serial device '{path}' {what}.", errno);
        }

        return new SystemIoPortsDevice(path, port, Probe(port));
    }

    private static DeviceCapabilities Probe(SerialPort port)
    {
        var caps = DeviceCapabilities.None;
        if (Try(() => _ = port.CtsHolding))
        {
            caps |= DeviceCapabilities.ModemStatus;
        }

        if (Try(() => port.RtsEnable = port.RtsEnable) && Try(() => port.DtrEnable = port.DtrEnable))
        {
            caps |= DeviceCapabilities.ControlLines;
        }

        if (Try(() => port.BreakState = false))
        {
            caps |= DeviceCapabilities.Break;
        }

        if (OperatingSystem.IsWindows())
        {
            caps |= DeviceCapabilities.MarkSpaceParity;
        }

        return caps;
    }

    private static bool Try(Action action)
    {
        try
        {
            action();
            return true;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException
                                       or PlatformNotSupportedException)
        {
            return false;
        }
    }

    private static string ResolveNode(string path)
    {
        try
        {
            var target = File.ResolveLinkTarget(path, returnFinalTarget: true);
            return target?.FullName ?? path;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return path;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Mark and space parity are dropped by the runtime outside Windows; they are then applied as no parity and
    /// reported as <see cref="Parity.None"/>. 1.5 stop bits are reported as 2 outside Windows.
    /// </remarks>
    public LineSettings Apply(LineSettings wanted)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(wanted.BaudRate, 0, nameof(wanted));
        if (wanted.DataBits is < 5 or > 8)
        {
            throw new ArgumentOutOfRangeException(nameof(wanted), wanted.DataBits, "Data bits must be 5..8.");
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        var markSpace = Capabilities.HasFlag(DeviceCapabilities.MarkSpaceParity);
        var parity = wanted.Parity switch
        {
            Parity.Odd => IoParity.Odd,
            Parity.Even => IoParity.Even,
            Parity.Mark when markSpace => IoParity.Mark,
            Parity.Space when markSpace => IoParity.Space,
            _ => IoParity.None,
        };
        var stop = wanted.StopBits switch
        {
            StopBits.Two => IoStopBits.Two,
            StopBits.OnePointFive when OperatingSystem.IsWindows() => IoStopBits.OnePointFive,
            StopBits.OnePointFive => IoStopBits.Two,
            _ => IoStopBits.One,
        };
        var handshake = wanted.FlowControl switch
        {
            FlowControl.XonXoff => Handshake.XOnXOff,
            FlowControl.RtsCts => Handshake.RequestToSend,
            _ => Handshake.None,
        };

        lock (_controlLock)
        {
            try
            {
                _port.BaudRate = wanted.BaudRate;
                _port.DataBits = wanted.DataBits;
                _port.Parity = parity;
                _port.StopBits = stop;
                _port.Handshake = handshake;
            }
            catch (Exception ex) when (ex is IOException or ArgumentOutOfRangeException)
            {
                // Whatever the port accepted before the failure stays; report what it really has.
                _ = ex;
            }

            return new LineSettings(
                _port.BaudRate,
                _port.DataBits,
                _port.Parity switch
                {
                    IoParity.Odd => Parity.Odd,
                    IoParity.Even => Parity.Even,
                    IoParity.Mark => Parity.Mark,
                    IoParity.Space => Parity.Space,
                    _ => Parity.None,
                },
                _port.StopBits switch
                {
                    IoStopBits.Two => StopBits.Two,
                    IoStopBits.OnePointFive => StopBits.OnePointFive,
                    _ => StopBits.One,
                },
                _port.Handshake switch
                {
                    Handshake.XOnXOff => FlowControl.XonXoff,
                    Handshake.RequestToSend or Handshake.RequestToSendXOnXOff => FlowControl.RtsCts,
                    _ => FlowControl.None,
                });
        }
    }

    /// <inheritdoc />
    public int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty || _disposed)
        {
            return 0;
        }

        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            // The async read is cancellable, so Dispose releases a blocked reader even where the runtime's
            // synchronous read would not notice the stream being disposed.
            var n = _stream.ReadAsync(rented.AsMemory(0, buffer.Length), _disposing.Token).AsTask()
                .GetAwaiter().GetResult();
            if (n == 0)
            {
                if (_disposed)
                {
                    return 0;
                }

                throw Fault(null, "the device reported end of stream (hung up)");
            }

            rented.AsSpan(0, n).CopyTo(buffer);
            return n;
        }
        catch (Exception ex) when (_disposed && ex is OperationCanceledException or ObjectDisposedException or IOException)
        {
            return 0;
        }
        catch (Exception ex) when (ex is IOException and not DeviceFaultException or InvalidOperationException
                                       or UnauthorizedAccessException)
        {
            throw Fault(ex, "read failed");
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <inheritdoc />
    public void Write(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (data.IsEmpty)
        {
            return;
        }

        var copy = data.ToArray();
        try
        {
            _stream.WriteAsync(copy, _disposing.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (Exception ex) when (_disposed && ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            throw new ObjectDisposedException(nameof(SystemIoPortsDevice));
        }
        catch (Exception ex) when (ex is IOException and not DeviceFaultException or InvalidOperationException
                                       or UnauthorizedAccessException)
        {
            throw Fault(ex, "write failed");
        }
    }

    /// <inheritdoc />
    public bool SetBreak(bool on) => Control(() => _port.BreakState = on);

    /// <inheritdoc />
    public bool SetDtr(bool on) => Control(() => _port.DtrEnable = on);

    /// <inheritdoc />
    public bool SetRts(bool on) => Control(() => _port.RtsEnable = on);

    /// <inheritdoc />
    public ModemStatus? ReadModemStatus()
    {
        ModemStatus? result = null;
        _ = Control(() =>
        {
            var s = ModemStatus.None;
            if (_port.CtsHolding)
            {
                s |= ModemStatus.ClearToSend;
            }

            if (_port.DsrHolding)
            {
                s |= ModemStatus.DataSetReady;
            }

            if (_port.CDHolding)
            {
                s |= ModemStatus.CarrierDetect;
            }

            result = s;
        });
        return result;
    }

    /// <inheritdoc />
    public void Purge(PurgeTarget target) => _ = Control(() =>
    {
        if (target.HasFlag(PurgeTarget.Receive))
        {
            _port.DiscardInBuffer();
        }

        if (target.HasFlag(PurgeTarget.Transmit))
        {
            _port.DiscardOutBuffer();
        }
    });

    /// <summary>Runs a control call; false when the port cannot do it (IOException and friends).</summary>
    private bool Control(Action action)
    {
        if (_disposed)
        {
            return false;
        }

        lock (_controlLock)
        {
            return Try(action);
        }
    }

    private DeviceFaultException Fault(Exception? inner, string what)
    {
        DisposeStream();
        var message = $"Serial device '{Path}': {what}{(inner is null ? "" : ": " + inner.Message)}.";
        return inner is null ? new DeviceFaultException(message, 5) : new DeviceFaultException(message, inner);
    }

    private void DisposeStream()
    {
        if (Interlocked.Exchange(ref _streamDisposed, 1) == 0)
        {
            try
            {
                _stream.Dispose();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                _ = ex; // the device is gone anyway
            }
        }
    }

    /// <summary>Cancels a blocked Read (returns 0) or Write, then disposes the base stream (never SerialPort.Close).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposeStarted, 1) != 0)
        {
            return;
        }

        _disposed = true;
        _disposing.Cancel();
        DisposeStream();
        _disposing.Dispose();
    }
}
