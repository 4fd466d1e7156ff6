using Concentrator.Devices;

namespace Concentrator.Ports.DataPlane;

/// <summary>The device queue's worker: one thread per plane runs the queue's head (see the threading model in PortDataPlane.cs).</summary>
public sealed partial class PortDataPlane
{
    /// <summary>
    /// One step of the worker: runs the head of the queue as far as it can. False when there is nothing it can do now
    /// (empty, not online, or an undecided slot at the head). Public for tests that step the worker themselves.
    /// </summary>
    public bool RunWorkerStep()
    {
        List<(WriteOperation Write, WriteResult Result)>? completions = null; // most steps complete one write or none
        WriteOperation? blockedWrite = null;
        CommandOperation? command = null;
        ISerialDevice? device = null;
        var written = 0;
        var progressed = false;
        lock (_gate)
        {
            while (!_busy && _device is not null && _queue.First is { } head)
            {
                if (head.Value is SlotOperation slot)
                {
                    if (slot.Cancelled)
                    {
                        _queue.RemoveFirst();
                        progressed = true;
                        continue;
                    }

                    if (slot.Filled is not { } filled)
                    {
                        break; // the port has not decided yet: nothing may pass
                    }

                    head.Value = new CommandOperation(filled);
                }

                if (head.Value is CommandOperation run)
                {
                    _busy = true;
                    command = run;
                    device = _device;
                    break;
                }

                var write = (WriteOperation)head.Value;
                if (!_permits.Allows(write.Input.Writer))
                {
                    _queue.RemoveFirst();
                    (completions ??= []).Add((write, WriteResult.Revoked));
                    progressed = true;
                    continue;
                }

                var n = TryWriteLocked(write.Data.AsSpan(write.Offset));
                written += n;
                write.Offset += n;
                progressed |= n > 0;
                if (write.Remaining == 0)
                {
                    _queue.RemoveFirst();
                    (completions ??= []).Add((write, WriteResult.Written));
                    continue;
                }

                if (n == 0 && _device is not null)
                {
                    _busy = true; // the device is full: the next part blocks, outside the lock
                    blockedWrite = write;
                    device = _device;
                }

                break;
            }
        }

        Written(written);
        if (completions is not null) // most steps complete nothing: no list, not even an empty one
        {
            foreach (var (write, result) in completions)
            {
                write.Input.Completed(result == WriteResult.Written ? write.Data.Length : write.Remaining, result);
            }
        }

        if (device is null)
        {
            return progressed;
        }

        return blockedWrite is not null ? WriteBlocking(device, blockedWrite) : RunCommand(device, command!);
    }

    private bool WriteBlocking(ISerialDevice device, WriteOperation write)
    {
        var part = write.Data.AsMemory(write.Offset, Math.Min(write.Remaining, BlockingSliceSize));
        var ok = true;
        try
        {
            device.Write(part.Span);
        }
        catch (Exception e) when (IsDeviceError(e))
        {
            ok = false; // kept at the head: the part goes to the next device that opens
            Fault(device, e);
        }

        var done = false;
        lock (_gate)
        {
            _busy = false;
            if (ok)
            {
                write.Offset += part.Length;
                _bytesWritten += part.Length;
                done = write.Remaining == 0;
                if (done && _queue.First?.Value == write)
                {
                    _queue.RemoveFirst();
                }
            }
            else if (_device is null)
            {
                _heldBytes += write.Remaining;
            }

            WakeWorkerLocked();
        }

        if (ok)
        {
            Written(part.Length);
        }

        if (done)
        {
            write.Input.Completed(write.Data.Length, WriteResult.Written);
        }

        return true;
    }

    private bool RunCommand(ISerialDevice device, CommandOperation operation)
    {
        object? result = null;
        Exception? error = null;
        try
        {
            result = operation.Command.Run(device);
        }
        catch (Exception e) when (IsDeviceError(e))
        {
            error = e;
            Fault(device, e);
        }

        lock (_gate)
        {
            _busy = false;
            if (_queue.First?.Value == operation)
            {
                _queue.RemoveFirst();
            }

            WakeWorkerLocked();
        }

        operation.Command.Done(result, error);
        return true;
    }

    private void WakeWorkerLocked()
    {
        if (!_ownWorker || _disposed || _device is null || _queue.Count == 0)
        {
            return;
        }

        if (_worker is null)
        {
            // Threads block in the kernel almost all the time; a small stack keeps hundreds of ports cheap.
            _worker = new Thread(WorkerLoop, 256 * 1024) { IsBackground = true, Name = "device queue" };
            _worker.Start();
        }

        _wake.Set();
    }

    private void WorkerLoop()
    {
        while (true)
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }
            }

            if (!RunWorkerStep())
            {
                _wake.WaitOne();
            }
        }
    }
}
