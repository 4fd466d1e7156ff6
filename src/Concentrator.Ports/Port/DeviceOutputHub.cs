using Akka.Actor;
using Concentrator.Ports.DeviceLink;

namespace Concentrator.Ports.Port;

/// <summary>Where a session takes device output straight from the reader thread (thread safe, never waits).</summary>
public interface IDeviceOutputSink
{
    void Deliver(byte[] chunk);
}

/// <summary>
/// Device output from the reader thread straight to the port's sessions, then to the port (scrollback, console log,
/// counters) as a numbered <see cref="DeviceOutput"/>. A session subscribed at number N gets every chunk after N
/// here; the port replays the scrollback up to N once it has taken chunk N, so nothing is lost or shown twice.
/// </summary>
internal sealed class DeviceOutputHub(IActorRef port)
{
    private readonly Lock _gate = new();
    private IDeviceOutputSink[] _sinks = [];
    private long _published;
    private long _bytes;

    /// <summary>Bytes read from the device, counted before any session sees them (a status right after is never behind).</summary>
    public long BytesPublished => Interlocked.Read(ref _bytes);

    /// <summary>On the device reader thread: chunks come one at a time, in device order.</summary>
    public void Publish(byte[] chunk)
    {
        IDeviceOutputSink[] sinks;
        long seq;
        Interlocked.Add(ref _bytes, chunk.Length);
        lock (_gate)
        {
            seq = ++_published;
            sinks = _sinks;
        }

        foreach (var sink in sinks)
        {
            sink.Deliver(chunk);
        }

        port.Tell(new DeviceOutput(chunk, seq));
    }

    /// <summary>Adds a sink; returns the number of the last chunk it will not get.</summary>
    public long Subscribe(IDeviceOutputSink sink)
    {
        lock (_gate)
        {
            _sinks = [.. _sinks, sink];
            return _published;
        }
    }

    public void Unsubscribe(IDeviceOutputSink sink)
    {
        lock (_gate)
        {
            _sinks = Array.FindAll(_sinks, s => !ReferenceEquals(s, sink));
        }
    }
}
