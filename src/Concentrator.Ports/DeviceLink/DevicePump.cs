using System.Collections.Concurrent;
using Concentrator.Devices;

namespace Concentrator.Ports.DeviceLink;

/// <summary>
/// Runs the blocking side of one open device so no actor ever blocks: a reader thread that turns reads into
/// callbacks, and a command thread that performs writes and control changes in order (so a baud change a client
/// sends after some data takes effect after that data went out). Urgent operations (a purge, a flow-control change)
/// skip that queue: they must work while a write is stuck behind flow control, and they are what unsticks it.
/// Knows nothing about actors.
/// </summary>
internal sealed class DevicePump : IDisposable
{
    /// <summary>
    /// Device reads use this buffer size (a tty hands out at most a few KiB per read); each chunk handed out is a
    /// right-sized copy that is never mutated.
    /// </summary>
    public const int ReadBufferSize = 16 * 1024;

    // Threads block in the kernel almost all the time; a small stack keeps hundreds of ports cheap.
    private const int ThreadStackSize = 256 * 1024;

    private readonly ISerialDevice _device;
    private readonly Action<byte[]> _onData;
    private readonly Action<Exception> _onFault;
    private readonly BlockingCollection<Action> _commands = new(new ConcurrentQueue<Action>());
    private readonly Thread _reader;
    private readonly Thread _commander;
    private readonly ManualResetEventSlim _readGate = new(initialState: true); // reset: reading paused (backpressure)
    private readonly Lock _urgent = new(); // urgent operations run one at a time, beside the command thread
    private int _faulted;
    private int _disposed;
    private int _commanderStarted;
    private int _queued; // commands enqueued and not yet finished

    public DevicePump(ISerialDevice device, Action<byte[]> onData, Action<Exception> onFault)
    {
        _device = device;
        _onData = onData;
        _onFault = onFault;
        var name = device.Path.Length > 20 ? device.Path[^20..] : device.Path;
        _reader = new Thread(ReadLoop, ThreadStackSize) { IsBackground = true, Name = "read " + name };
        _commander = new Thread(CommandLoop, ThreadStackSize) { IsBackground = true, Name = "write " + name };
    }

    public ISerialDevice Device => _device;

    /// <summary>Starts reading. The command thread starts with the first command: a port nobody writes to needs none.</summary>
    public void Start() => _reader.Start();

    /// <summary>
    /// Queues an operation on the device. It runs on the command thread; <paramref name="onDone"/> gets its result
    /// (or the exception, which also faults the pump when it is a device fault).
    /// </summary>
    public void Enqueue<T>(Func<ISerialDevice, T> operation, Action<T?, Exception?> onDone)
    {
        var queued = true;
        if (Volatile.Read(ref _commanderStarted) == 0 && Interlocked.Exchange(ref _commanderStarted, 1) == 0)
        {
            _commander.Start();
        }

        Interlocked.Increment(ref _queued);
        try
        {
            _commands.Add(() =>
            {
                T? result = default;
                Exception? error = null;
                try
                {
                    result = operation(_device);
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or UnauthorizedAccessException)
                {
                    error = e;
                    Fault(e);
                }

                Interlocked.Decrement(ref _queued);
                onDone(result, error);
            });
        }
        catch (InvalidOperationException)
        {
            queued = false; // completed for adding: the pump is shutting down.
            Interlocked.Decrement(ref _queued);
        }

        if (!queued)
        {
            onDone(default, new ObjectDisposedException(nameof(DevicePump)));
        }
    }

    /// <summary>
    /// Writes what the device takes at once, on the caller's thread, when no queued command is waiting or running
    /// (so nothing is overtaken); returns how many bytes that was. The rest goes through <see cref="Enqueue{T}"/>.
    /// Spares a small write the hop to the command thread. Any thread may call it (write(2) on a tty is atomic per
    /// call); a caller whose own earlier work may still be on its way here waits for it first (the link's mailbox
    /// orders the port's writes, a session's fence its direct ones).
    /// </summary>
    public int TryWriteNow(ReadOnlySpan<byte> data)
    {
        if (Volatile.Read(ref _queued) != 0 || Volatile.Read(ref _disposed) != 0)
        {
            return 0;
        }

        try
        {
            return _device.TryWrite(data);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or UnauthorizedAccessException)
        {
            Fault(e);
            return 0; // the queued write fails too and reports the bytes discarded
        }
    }

    /// <summary>
    /// Runs an operation now on a pool thread, not behind queued writes (the device allows control calls while a
    /// write blocks); <paramref name="onDone"/> gets its result or exception as with <see cref="Enqueue{T}"/>.
    /// </summary>
    public void RunNow<T>(Func<ISerialDevice, T> operation, Action<T?, Exception?> onDone) =>
        ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            T? result = default;
            Exception? error = null;
            try
            {
                lock (_urgent)
                {
                    result = Volatile.Read(ref _disposed) == 0 ? operation(_device) : throw new ObjectDisposedException(nameof(DevicePump));
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or UnauthorizedAccessException)
            {
                error = e;
                Fault(e);
            }

            onDone(result, error);
        }, null);

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
            Fault(e);
        }
    }

    private void CommandLoop()
    {
        try
        {
            foreach (var command in _commands.GetConsumingEnumerable())
            {
                command();
            }
        }
        catch (ObjectDisposedException)
        {
            // Disposed while waiting: nothing left to do.
        }
    }

    private void Fault(Exception e)
    {
        if (Volatile.Read(ref _disposed) == 0 && Interlocked.Exchange(ref _faulted, 1) == 0)
        {
            _onFault(e);
        }
    }

    /// <summary>Stops both threads and closes the device. Pending commands complete with an error.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _commands.CompleteAdding();
        _readGate.Set(); // a paused reader wakes, sees it is disposed and ends
        _device.Dispose(); // wakes a blocked Read (returns 0) and a blocked Write (throws)
        if (_commander.IsAlive && Thread.CurrentThread != _commander)
        {
            _commander.Join(TimeSpan.FromSeconds(2));
        }

        // Fail whatever was still queued so no session waits forever for an ack.
        while (_commands.TryTake(out var command))
        {
            command();
        }

        if (_reader.IsAlive && Thread.CurrentThread != _reader)
        {
            _reader.Join(TimeSpan.FromSeconds(2));
        }

        _commands.Dispose();
        if (!_reader.IsAlive)
        {
            _readGate.Dispose();
        }
    }
}
