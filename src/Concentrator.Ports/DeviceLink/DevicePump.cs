using Concentrator.Devices;

namespace Concentrator.Ports.DeviceLink;

/// <summary>
/// The reading side of one open device, so no actor ever blocks: a reader thread that turns reads into callbacks,
/// paused while a backpressure session is behind. Writes and device commands go through the port's
/// <see cref="DataPlane.PortDataPlane"/> (its ordered queue and worker). Knows nothing about actors.
/// </summary>
internal sealed class DevicePump : IDisposable
{
    /// <summary>
    /// Device reads use this buffer size (a tty hands out at most a few KiB per read); each chunk handed out is a
    /// right-sized copy that is never mutated.
    /// </summary>
    public const int ReadBufferSize = 16 * 1024;

    // The thread blocks in the kernel almost all the time; a small stack keeps hundreds of ports cheap.
    private const int ThreadStackSize = 256 * 1024;

    private readonly ISerialDevice _device;
    private readonly Action<byte[]> _onData;
    private readonly Action<Exception> _onFault;
    private readonly Thread _reader;
    private readonly ManualResetEventSlim _readGate = new(initialState: true); // reset: reading paused (backpressure)
    private int _faulted;
    private int _disposed;

    public DevicePump(ISerialDevice device, Action<byte[]> onData, Action<Exception> onFault)
    {
        _device = device;
        _onData = onData;
        _onFault = onFault;
        var name = device.Path.Length > 20 ? device.Path[^20..] : device.Path;
        _reader = new Thread(ReadLoop, ThreadStackSize) { IsBackground = true, Name = "read " + name };
    }

    public ISerialDevice Device => _device;

    public void Start() => _reader.Start();

    /// <summary>Pauses or resumes reading the device (a session with overflow = backpressure is behind, or caught up).</summary>
    public void PauseReading(bool pause)
    {
        if (pause)
        {
            _readGate.Reset();
        }
        else
        {
            _readGate.Set();
        }
    }

    private void ReadLoop()
    {
        var buffer = new byte[ReadBufferSize];
        try
        {
            while (Volatile.Read(ref _disposed) == 0)
            {
                _readGate.Wait(); // the bytes wait in the device (and its flow control) while a session catches up
                if (Volatile.Read(ref _disposed) != 0)
                {
                    return;
                }

                var n = _device.Read(buffer);
                if (n <= 0)
                {
                    return; // disposed
                }

                _onData(buffer.AsSpan(0, n).ToArray());
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or UnauthorizedAccessException)
        {
            if (Volatile.Read(ref _disposed) == 0 && Interlocked.Exchange(ref _faulted, 1) == 0)
            {
                _onFault(e);
            }
        }
    }

    /// <summary>Stops the reader and closes the device (the port's data plane was told first that it is going).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _readGate.Set(); // a paused reader wakes, sees it is disposed and ends
        _device.Dispose(); // wakes a blocked Read (returns 0) and a blocked Write on the plane's worker (throws)
        if (_reader.IsAlive && Thread.CurrentThread != _reader)
        {
            _reader.Join(TimeSpan.FromSeconds(2));
        }

        if (!_reader.IsAlive)
        {
            _readGate.Dispose();
        }
    }
}
