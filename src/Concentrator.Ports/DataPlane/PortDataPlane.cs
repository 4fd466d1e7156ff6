using Concentrator.Devices;
using Concentrator.Ports.Port;

namespace Concentrator.Ports.DataPlane;

/// <summary>
/// The client-to-device half of one port's data plane: every byte a session writes and every command the port sends
/// the device pass through one ordered queue here, so their order, and that nothing is lost or written twice, follow
/// from the structure rather than from counters kept in several places. Actors decide (the port builds the
/// <see cref="WritePermits"/>, says when the device is online, fills the slots sessions reserve); this moves bytes.
/// </summary>
/// <remarks>
/// <para><b>Threading model.</b></para>
/// <list type="bullet">
/// <item>Session threads (a session actor's, or a socket completion's) call <see cref="Write"/> and
/// <see cref="Reserve"/>. A write meeting an empty queue and an online device is tried at once with the device's
/// non-blocking <see cref="ISerialDevice.TryWrite"/> (the latency path: socket thread to device, no mailbox); what the
/// device does not take joins the queue's tail.</item>
/// <item>The port actor calls <see cref="SetPermits"/>, <see cref="Online"/>, <see cref="Offline"/>,
/// <see cref="Opening"/>, <see cref="EndHold"/>, <see cref="Enqueue"/>, <see cref="ApplyLine"/> and fills or cancels
/// slots. The device link calls <see cref="Offline"/> before it closes a device, and <see cref="Enqueue"/> for modem
/// reads.</item>
/// <item>One worker thread per plane (started with the first queued work) runs the queue's head: a write's next
/// part, or a command. It takes the lock to pick the head and to write without blocking; it blocks (a write the device
/// cannot take now, a command such as a break) outside the lock, with the head marked busy so nothing passes it.</item>
/// <item>Urgent commands (<see cref="RunUrgent"/>: a purge, a change of flow control only) run at once on a pool
/// thread beside the queue: they are what releases a write held by flow control, so queueing them could deadlock.
/// They are the one documented exception to the order.</item>
/// </list>
/// <para><b>The lock</b> (<c>_gate</c>) guards the queue, the device state, the open device, the permits, the hold and
/// the counters. Nothing under it blocks: the device calls made under it are non-blocking; completions and command
/// results are told after it is released.</para>
/// <para><b>Invariants.</b></para>
/// <list type="number">
/// <item>Every byte a permitted writer hands to <see cref="Write"/> reaches the device exactly once, in the order it
/// was handed, unless it is answered <see cref="WriteOutcome.Discarded"/> / <see cref="WriteResult.Discarded"/>
/// (device not online past the grace, or the hold full) or <see cref="WriteResult.Revoked"/>. A write that the device
/// failed is kept at the head and goes to the next device that opens.</item>
/// <item>No write to the device starts for a writer after <see cref="SetPermits"/> took its permit away: the permit is
/// checked under the lock right before every device write.</item>
/// <item>A command a session reserved a slot for runs after every byte it wrote before <see cref="Reserve"/> and before
/// every byte it wrote after (the queue never passes an undecided slot, and a write never passes a queued entry).</item>
/// <item>While the device is not online nothing is written: writes are held (up to the hold limit) until
/// <see cref="Online"/>, or discarded by <see cref="EndHold"/>, each reported to its writer.</item>
/// </list>
/// </remarks>
public sealed partial class PortDataPlane : IDisposable
{
    /// <summary>A write the device cannot take now goes out in blocking parts of at most this size, so a revoke waits at most one.</summary>
    public const int BlockingSliceSize = 4096;

    /// <summary>Bytes held per port while the device is not online (see <see cref="EndHold"/>).</summary>
    public const long DefaultHoldLimit = 1024 * 1024;

    /// <summary>How long bytes typed while the device is not online wait for it before they are discarded (the port's timer).</summary>
    public static readonly TimeSpan HoldGrace = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly LinkedList<DeviceOperation> _queue = new();
    private readonly long _holdLimit;
    private readonly bool _ownWorker;
    private readonly Action<int>? _onWritten;
    private readonly Lock _urgent = new(); // urgent commands run one at a time
    private readonly AutoResetEvent _wake = new(false);
    private ISerialDevice? _device; // non-null exactly while online
    private Action<Exception>? _onFault;
    private DeviceState _state = DeviceState.Opening;
    private WritePermits _permits = WritePermits.None;
    private bool _holding = true; // not online, within the grace: writes are held rather than discarded
    private long _heldBytes;
    private bool _busy; // the worker runs the head outside the lock
    private bool _disposed;
    private Thread? _worker;
    private long _bytesWritten;
    private long _bytesDiscarded;
    private LineSettings? _lineInEffect; // as the device last reported it
    private FlowOverride _flow = new(0, FlowControl.None);

    /// <param name="holdLimit">Bytes held while the device is not online.</param>
    /// <param name="onWritten">Told how many client bytes reached the device (metrics); any thread, never under the lock.</param>
    /// <param name="ownWorker">False for tests that step the worker themselves with <see cref="RunWorkerStep"/>.</param>
    public PortDataPlane(long holdLimit = DefaultHoldLimit, Action<int>? onWritten = null, bool ownWorker = true)
    {
        _holdLimit = holdLimit;
        _onWritten = onWritten;
        _ownWorker = ownWorker;
    }

    /// <summary>Where the device is in its life: the one field every path reads.</summary>
    public DeviceState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    public long BytesDiscarded => Interlocked.Read(ref _bytesDiscarded);

    /// <summary>A session's handle; <paramref name="completed"/> hears how each queued write ended.</summary>
    public DeviceInput Input(int writer, Action<int, WriteResult> completed, Action<byte[]>? typed = null) => new(this, writer, completed, typed);

    /// <summary>Whether <paramref name="writer"/> may write now (a hint for a recording: the permit is checked again under the lock).</summary>
    internal bool Allows(int writer) => Volatile.Read(ref _permits).Allows(writer);

    /// <summary>The port's decision of who may write, from now on (see invariant 2).</summary>
    public void SetPermits(WritePermits permits)
    {
        ArgumentNullException.ThrowIfNull(permits);
        var revoked = new List<WriteOperation>();
        lock (_gate)
        {
            _permits = permits;
            TakeWritesLocked(revoked, w => !permits.Allows(w.Input.Writer)); // a busy head is checked again before its next part
            foreach (var write in revoked)
            {
                if (_device is null)
                {
                    _heldBytes -= write.Remaining;
                }
            }

            WakeWorkerLocked();
        }

        foreach (var write in revoked)
        {
            write.Input.Completed(write.Remaining, WriteResult.Revoked);
        }
    }

    internal WriteOutcome Write(DeviceInput input, byte[] data)
    {
        if (data.Length == 0)
        {
            return WriteOutcome.Written;
        }

        var outcome = WriteOutcome.Queued;
        var written = 0;
        lock (_gate)
        {
            if (_disposed || !_permits.Allows(input.Writer))
            {
                return WriteOutcome.NotPermitted;
            }

            if (_device is not null && _queue.Count == 0 && !_busy)
            {
                written = TryWriteLocked(data);
                if (written == data.Length)
                {
                    outcome = WriteOutcome.Written;
                }
            }

            if (outcome == WriteOutcome.Queued)
            {
                var rest = data.Length - written;
                if (_device is null && (!_holding || _heldBytes + rest > _holdLimit))
                {
                    _bytesDiscarded += rest;
                    outcome = written == 0 ? WriteOutcome.Discarded : WriteOutcome.Written; // a device lost mid-write: the rest is gone
                }
                else
                {
                    if (_device is null)
                    {
                        _heldBytes += rest;
                    }

                    _queue.AddLast(new WriteOperation(input, data, written));
                    WakeWorkerLocked();
                }
            }
        }

        Written(written);
        return outcome;
    }

    /// <summary>A place in the queue for a command the port will decide on (see <see cref="DeviceSlot"/>).</summary>
    internal DeviceSlot Reserve()
    {
        var slot = new SlotOperation();
        lock (_gate)
        {
            if (_disposed)
            {
                slot.Cancelled = true;
            }
            else
            {
                _queue.AddLast(slot);
            }
        }

        return new DeviceSlot(this, slot);
    }

    internal bool Decide(SlotOperation slot, DeviceCommand? command)
    {
        bool taken;
        lock (_gate)
        {
            taken = slot.Filled is null && !slot.Cancelled && !_disposed;
            if (taken)
            {
                slot.Filled = command;
                slot.Cancelled = command is null;
                if (command is not null && _device is null)
                {
                    slot.Cancelled = true; // the device went away meanwhile: nothing to run it on
                    taken = false;
                }

                WakeWorkerLocked();
            }
        }

        if (!taken && command is not null)
        {
            command.Done(null, new ObjectDisposedException("device", "the device is not online"));
        }

        return taken;
    }

    /// <summary>
    /// The port: the device is open and online. <paramref name="first"/> (settings a client changed while it opened) run
    /// before anything held; then the held writes go, in their order.
    /// </summary>
    public void Online(ISerialDevice device, LineSettings inEffect, Action<Exception> onFault, IReadOnlyList<DeviceCommand> first)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(first);
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _device = device;
            _onFault = onFault;
            _lineInEffect = inEffect;
            _state = DeviceState.Online;
            _holding = true; // for the next outage
            _heldBytes = 0;
            var at = _busy ? _queue.First : null; // the worker may still be finishing on the old device
            foreach (var command in first)
            {
                var operation = new CommandOperation(command);
                at = at is null ? _queue.AddFirst(operation) : _queue.AddAfter(at, operation);
            }

            WakeWorkerLocked();
        }
    }

    /// <summary>
    /// The device is gone (or about to be closed) if it is <paramref name="device"/> (null: whichever is open): nothing more
    /// is written to it; queued writes are held, queued commands answered with an error. Idempotent.
    /// </summary>
    public void Offline(ISerialDevice? device = null) => Leave(DeviceState.Offline, device);

    /// <summary>The port opens a new device (a reload changed its path): as <see cref="Offline"/>, the state Opening.</summary>
    public void Opening() => Leave(DeviceState.Opening, null);

    private void Leave(DeviceState state, ISerialDevice? device)
    {
        var dropped = new List<DeviceCommand>();
        lock (_gate)
        {
            if (device is not null && !ReferenceEquals(device, _device))
            {
                return; // a device that was already replaced
            }

            if (_device is not null)
            {
                _holding = true;
            }

            _device = null;
            _onFault = null;
            _state = state;
            _heldBytes = 0;
            var node = _queue.First;
            if (_busy && node is not null)
            {
                node = node.Next; // the worker finishes the head on its own
            }

            while (node is not null)
            {
                var next = node.Next;
                switch (node.Value)
                {
                    case WriteOperation write:
                        _heldBytes += write.Remaining;
                        break;
                    case CommandOperation command:
                        dropped.Add(command.Command);
                        _queue.Remove(node);
                        break;
                }

                node = next;
            }
        }

        foreach (var command in dropped)
        {
            command.Done(null, new ObjectDisposedException("device", "the device went offline"));
        }
    }

    /// <summary>
    /// The grace is over and the device is still not online: what is held is discarded (each writer told) and so is what
    /// is written until it is online again. False when it is online (nothing to do).
    /// </summary>
    public bool EndHold()
    {
        var discarded = new List<WriteOperation>();
        lock (_gate)
        {
            if (_device is not null)
            {
                return false;
            }

            _holding = false;
            TakeWritesLocked(discarded, _ => true);
            _heldBytes = 0;
            foreach (var write in discarded)
            {
                _bytesDiscarded += write.Remaining;
            }
        }

        foreach (var write in discarded)
        {
            write.Input.Completed(write.Remaining, WriteResult.Discarded);
        }

        return true;
    }

    /// <summary>Removes the queued writes that match (never the busy head) into <paramref name="into"/>.</summary>
    private void TakeWritesLocked(List<WriteOperation> into, Func<WriteOperation, bool> match)
    {
        var node = _queue.First;
        if (_busy && node is not null)
        {
            node = node.Next;
        }

        while (node is not null)
        {
            var next = node.Next;
            if (node.Value is WriteOperation write && match(write))
            {
                into.Add(write);
                _queue.Remove(node);
            }

            node = next;
        }
    }

    private int TryWriteLocked(ReadOnlySpan<byte> data)
    {
        try
        {
            var n = _device!.TryWrite(data);
            _bytesWritten += n;
            return n;
        }
        catch (Exception e) when (IsDeviceError(e))
        {
            var device = _device!;
            var onFault = _onFault;
            ThreadPool.UnsafeQueueUserWorkItem(_ => Fault(device, e, onFault), null); // never call out under the lock
            return 0;
        }
    }

    private void Fault(ISerialDevice device, Exception error, Action<Exception>? onFault = null)
    {
        if (onFault is null)
        {
            lock (_gate)
            {
                if (!ReferenceEquals(device, _device))
                {
                    return;
                }

                onFault = _onFault;
            }
        }

        onFault?.Invoke(error);
    }

    private void Written(int bytes)
    {
        if (bytes > 0)
        {
            _onWritten?.Invoke(bytes);
        }
    }

    private static bool IsDeviceError(Exception e) =>
        e is IOException or ObjectDisposedException or InvalidOperationException or UnauthorizedAccessException;

    /// <summary>The port stopped: queued writes are answered <see cref="WriteResult.Closed"/>, commands with an error.</summary>
    public void Dispose()
    {
        var writes = new List<WriteOperation>();
        var commands = new List<DeviceCommand>();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _device = null;
            TakeWritesLocked(writes, _ => true);
            foreach (var operation in _queue)
            {
                if (operation is CommandOperation c)
                {
                    commands.Add(c.Command);
                }
                else if (operation is SlotOperation { Filled: { } filled })
                {
                    commands.Add(filled);
                }
            }

            _queue.Clear();
        }

        _wake.Set();
        foreach (var write in writes)
        {
            write.Input.Completed(write.Remaining, WriteResult.Closed);
        }

        foreach (var command in commands)
        {
            command.Done(null, new ObjectDisposedException(nameof(PortDataPlane)));
        }
    }
}
