using System.Runtime.InteropServices;
using Akka.Actor;
using Concentrator.Ports.Channels;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.DeviceLink;
using Concentrator.Ports.Metrics;
using Concentrator.Ports.Port;

namespace Concentrator.Ports.Session;

/// <summary>
/// A session's way out to its client: the bounded <see cref="OutputQueue"/> and the one send in flight. Shared by
/// the session actor (replies, notices, replay) and the port's device reader thread, which hands every device chunk
/// here (<see cref="Deliver"/>). A raw session's small chunk meeting an idle queue is sent on that thread (read()
/// then a non-blocking sendmsg(), no actor hop: the latency path); a bigger one is queued for the actor to send, so
/// the reader reads on while the actor sends batches (the throughput path). Other protocols encode per session, and
/// TLS and WebSocket channels only send asynchronously, so their chunks go to the actor.
/// Chunks are held until the port says where the replay ends (<see cref="Release"/>). Every member takes the
/// lock and nothing under it waits.
/// </summary>
internal sealed class SessionOutput : IDeviceOutputSink
{
    private const int MaxSendBatch = 256 * 1024;

    /// <summary>Chunks up to this size go out on the reader thread when nothing else is queued.</summary>
    private const int InlineSendLimit = 1024;

    private readonly Lock _gate = new();
    private readonly OutputQueue _queue;
    private readonly ISessionChannel _channel;
    private readonly ISessionProtocol _protocol;
    private readonly ListenerSettings _listener;
    private readonly IActorRef _session;
    private readonly IActorRef _port;
    private readonly SessionCounters _counters;
    private readonly PortMetrics _metrics;
    private readonly bool _inline;
    private readonly bool _showNotices;
    private readonly List<ReadOnlyMemory<byte>> _batch = []; // reused per send: the fast path allocates no lists
    private readonly List<ArraySegment<byte>> _segments = [];
    private List<byte[]>? _held = []; // device chunks that came before the session went live
    private bool _sending;
    private bool _behind; // overflow = backpressure: the port was asked to pause the device for us
    private bool _closed; // overflowed, failed or stopped: nothing more goes out
    private bool _dataStopped; // draining: device output is no longer queued
    private bool _suspended;
    private bool _notifyProgress;
    private bool _pumpAsked; // an OutputPending is on its way to the actor

    public SessionOutput(ISessionChannel channel, ISessionProtocol protocol, ListenerSettings listener, IActorRef session, IActorRef port,
        SessionCounters counters, PortMetrics metrics, bool showNotices)
    {
        _channel = channel;
        _protocol = protocol;
        _listener = listener;
        _session = session;
        _port = port;
        _counters = counters;
        _metrics = metrics;
        _showNotices = showNotices;
        // Inline only where a send can complete without waiting: TLS and WebSocket sends are asynchronous anyway.
        // Asked of the channel, not its type: the listener wraps every channel (its connection slot).
        _inline = protocol is RawProtocol && channel.CanSendNow;
        _queue = new OutputQueue(listener.OutputQueueBytes, listener.Overflow);
        _policy = listener.Overflow;
    }

    /// <summary>The queue's policy, readable without the lock (Fit runs per chunk, inside and outside it); written under it.</summary>
    private volatile OverflowPolicy _policy;

    public void UseBackpressure(bool on)
    {
        if (_listener.OverflowConfigured)
        {
            return; // the operator chose this listener's policy
        }

        lock (_gate)
        {
            var policy = on ? OverflowPolicy.Backpressure : _listener.Overflow;
            if (policy == _queue.Policy)
            {
                return;
            }

            _queue.Policy = _policy = policy;
            if (policy != OverflowPolicy.Backpressure && _behind)
            {
                _behind = false; // one more monitor now: the device reads on, and this session's policy acts (and says so)
                _port.Tell(new OutputBehind(false), _session);
            }
            else if (policy == OverflowPolicy.Backpressure && !_behind && _queue.QueuedBytes > _queue.Capacity)
            {
                _behind = true;
                _port.Tell(new OutputBehind(true), _session);
            }
        }
    }

    /// <summary>Nothing queued and no send in flight.</summary>
    public bool IsIdle
    {
        get
        {
            lock (_gate)
            {
                return !_sending && _queue.IsEmpty;
            }
        }
    }

    /// <summary>Whether control chunks (replies, notices) piled up past the capacity; see <see cref="NotifyWhenSent"/>.</summary>
    public bool IsOverCapacity
    {
        get
        {
            lock (_gate)
            {
                return _queue.IsOverCapacity;
            }
        }
    }

    /// <summary>A client's FLOWCONTROL-SUSPEND: output waits (set by the actor before it pumps).</summary>
    public bool Suspended
    {
        set
        {
            lock (_gate)
            {
                _suspended = value;
            }
        }
    }

    /// <summary>Device output, from the reader thread (any thread), in device order.</summary>
    public void Deliver(byte[] chunk)
    {
        lock (_gate)
        {
            if (_closed || _dataStopped)
            {
                return;
            }

            if (_held is not null)
            {
                _held.Add(chunk);
            }
            else if (!_inline)
            {
                _session.Tell(new DeviceOutput(chunk)); // encoded by the actor, in this order
            }
            else if (chunk.Length <= InlineSendLimit && _queue.IsEmpty && !_sending)
            {
                if (EnqueueData(Fit(chunk)))
                {
                    PumpLocked(onActor: false);
                }
            }
            else if (EnqueueData(Fit(chunk)) && !_pumpAsked && !_sending)
            {
                _pumpAsked = true;
                _session.Tell(OutputPending.Instance);
            }
        }
    }

    /// <summary>
    /// The session goes live: <paramref name="replay"/> (encoded) goes out first, then what was held, then live output.
    /// </summary>
    public void Release(ReadOnlyMemory<byte> replay)
    {
        lock (_gate)
        {
            if (_held is not { } held)
            {
                return;
            }

            _held = null;
            if (!EnqueueData(replay))
            {
                return;
            }

            foreach (var chunk in held)
            {
                if (!_inline)
                {
                    _session.Tell(new DeviceOutput(chunk));
                }
                else if (!EnqueueData(Fit(chunk)))
                {
                    return;
                }
            }
        }
    }

    /// <summary>Queues device data (encoded) or a replay from the actor; an overflow that disconnects tells the actor.</summary>
    public void Send(ReadOnlyMemory<byte> data)
    {
        lock (_gate)
        {
            if (!_closed && !_dataStopped)
            {
                EnqueueData(data);
            }
        }
    }

    /// <summary>Adds a chunk that is never dropped (protocol replies, notices).</summary>
    public void EnqueueControl(ReadOnlyMemory<byte> chunk)
    {
        lock (_gate)
        {
            _queue.EnqueueControl(chunk);
        }
    }

    /// <summary>
    /// Device data larger than the whole queue can only be kept in part: trimmed before encoding, so telnet framing
    /// (IAC doubling) is never cut. Disconnect-policy sessions get it whole and are closed by the queue.
    /// </summary>
    public byte[] Fit(byte[] data)
    {
        var limit = (int)Math.Min(int.MaxValue, _listener.OutputQueueBytes / 2);
        if (data.Length <= limit || _policy != OverflowPolicy.DropOldest)
        {
            return data;
        }

        lock (_gate)
        {
            _queue.CountDropped(data.Length - limit);
        }

        return data[^limit..];
    }

    /// <summary>Draining: device output is no longer queued; what is queued still goes out.</summary>
    public void StopData()
    {
        lock (_gate)
        {
            _dataStopped = true;
            _held = null;
        }
    }

    /// <summary>The next bytes sent from another thread tell the actor (<see cref="OutputProgress"/>): its reading waits for room.</summary>
    public void NotifyWhenSent()
    {
        lock (_gate)
        {
            _notifyProgress = true;
        }
    }

    /// <summary>Sends what is queued (on the actor); true when some bytes went out.</summary>
    public bool Pump()
    {
        lock (_gate)
        {
            _pumpAsked = false;
            return PumpLocked(onActor: true);
        }
    }

    /// <summary>The asynchronous rest of a batch went out.</summary>
    public bool SendDone(int bytes)
    {
        lock (_gate)
        {
            _sending = false;
            _counters.AddOut(bytes);
            CaughtUp();
            return PumpLocked(onActor: true);
        }
    }

    /// <summary>The session stops: nothing is sent from here on (the channel is about to close).</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            _held = null;
        }
    }

    private bool EnqueueData(ReadOnlyMemory<byte> data)
    {
        if (!_queue.Enqueue(data))
        {
            _closed = true;
            _queue.Clear();
            _session.Tell(new SendFailed($"client too slow: output queue of {_listener.OutputQueueBytes} bytes full"));
            return false;
        }

        if (_queue.Policy == OverflowPolicy.Backpressure && !_behind && _queue.QueuedBytes > _queue.Capacity)
        {
            _behind = true; // nothing is dropped: the device waits until this client took half the queue
            _port.Tell(new OutputBehind(true), _session);
        }

        return true;
    }

    private void CaughtUp()
    {
        if (_behind && _queue.QueuedBytes <= _queue.Capacity / 2)
        {
            _behind = false;
            _port.Tell(new OutputBehind(false), _session);
        }
    }

    /// <summary>The one place a session writes to its client: what is queued goes out, one batch at a time.</summary>
    private bool PumpLocked(bool onActor)
    {
        var sentAny = false;
        // A client's FLOWCONTROL-SUSPEND holds output while it runs.
        while (!_closed && !_sending && !_queue.IsEmpty && !_suspended)
        {
            var dropped = _queue.TakeDroppedCount();
            if (dropped > 0)
            {
                _counters.AddDropped(dropped);
                _metrics.Dropped(dropped);
                if (_showNotices)
                {
                    // Said in-band on telnet sessions only: raw and RFC 2217 clients must never see bytes the device did not send.
                    _queue.EnqueueControl(_protocol.EncodeNotice($"\r\n[concentrator: {dropped} bytes dropped, client too slow]\r\n"));
                }
            }

            _batch.Clear();
            var total = _queue.DequeueBatch(_batch, MaxSendBatch);
            var segments = ToSegments(_batch, _segments);
            int sent;
            try
            {
                sent = _channel.SendNow(segments); // never waits; usually takes everything on plain TCP
            }
            catch (SessionChannelException e)
            {
                _closed = true;
                _session.Tell(new SendFailed(e.Message));
                return sentAny;
            }

            _counters.AddOut(sent);
            sentAny |= sent > 0;
            if (sent < total)
            {
                Segments.Skip(segments, sent);
                _sending = true;
                _channel.SendAsync([.. segments]).PipeTo(_session, success: () => new SendDone(total - sent),
                    failure: e => new SendFailed(e.GetBaseException().Message));
            }
        }

        if (sentAny)
        {
            CaughtUp();
            if (_notifyProgress && !onActor)
            {
                _notifyProgress = false;
                _session.Tell(OutputProgress.Instance);
            }
        }

        return sentAny;
    }

    private static List<ArraySegment<byte>> ToSegments(List<ReadOnlyMemory<byte>> batch, List<ArraySegment<byte>> segments)
    {
        segments.Clear();
        foreach (var chunk in batch)
        {
            segments.Add(MemoryMarshal.TryGetArray(chunk, out var segment) ? segment : new ArraySegment<byte>(chunk.ToArray()));
        }

        return segments;
    }
}

/// <summary>The asynchronous rest of a batch went out.</summary>
internal sealed record SendDone(int Bytes);

/// <summary>The client cannot be written any more (or is too slow for its overflow policy).</summary>
internal sealed record SendFailed(string Reason);

/// <summary>The reader thread queued device output for the actor to send.</summary>
internal sealed record OutputPending
{
    public static OutputPending Instance { get; } = new();
}

/// <summary>Bytes went out from the reader thread while the actor's reading waited for room.</summary>
internal sealed record OutputProgress
{
    public static OutputProgress Instance { get; } = new();
}
