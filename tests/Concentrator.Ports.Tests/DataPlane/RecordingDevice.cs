using Concentrator.Devices;

namespace Concentrator.Ports.Tests.DataPlane;

/// <summary>One thing that happened at the far end of the line, in the order it happened.</summary>
internal abstract record DeviceEvent;

/// <summary>A byte reached the device: byte <paramref name="Index"/> of write <paramref name="Write"/> of <paramref name="Writer"/>.</summary>
internal sealed record ByteEvent(int Writer, int Write, int Index) : DeviceEvent;

/// <summary>A command ran on the device (its tag says whose and which).</summary>
internal sealed record CommandEvent(string Tag) : DeviceEvent;

/// <summary>Not on the device: the test took a writer's permit away at this point.</summary>
internal sealed record RevokedEvent(int Writer) : DeviceEvent;

/// <summary>Not on the device: the test gave a writer a permit at this point.</summary>
internal sealed record PermittedEvent(int Writer) : DeviceEvent;

/// <summary>Which handed write a span lies in: writer, write number, offset.</summary>
internal delegate (int Writer, int Write, int Offset) WhoseBytes(ReadOnlySpan<byte> data);

/// <summary>
/// A device for the data plane's model test: every write and command lands in one shared log (several devices, one
/// after the other, share it, as a replugged adapter's output reaches the same machine). Its non-blocking write takes
/// as many bytes as the schedule's random source says, so schedules meet full device buffers; once closed it throws
/// like a device that was unplugged.
/// </summary>
/// <param name="whose">Which handed write a span the plane passes lies in (writer, write, offset): the plane writes
/// from the very arrays it was handed, so every byte is attributed exactly.</param>
internal sealed class RecordingDevice(List<DeviceEvent> log, Random random, string name, WhoseBytes whose) : ISerialDevice
{
    private bool _closed;

    public string Path => name;

    public string KernelNode => name;

    public DeviceCapabilities Capabilities => DeviceCapabilities.None;

    public void Close() => _closed = true;

    public int TryWrite(ReadOnlySpan<byte> data)
    {
        ThrowIfClosed();
        var n = random.Next(4) == 0 ? 0 : random.Next(data.Length + 1); // often full, often partial
        Record(data[..n]);
        return n;
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        ThrowIfClosed();
        Record(data);
    }

    public LineSettings Apply(LineSettings wanted)
    {
        ThrowIfClosed();
        return wanted;
    }

    public int Read(Span<byte> buffer) => 0;

    public bool SetBreak(bool on) => true;

    public bool SetDtr(bool on) => true;

    public bool SetRts(bool on) => true;

    public ModemStatus? ReadModemStatus() => null;

    public void Purge(PurgeTarget target)
    {
    }

    public void Dispose() => _closed = true;

    /// <summary>A command's effect, in line with the bytes.</summary>
    public object? Command(string tag)
    {
        ThrowIfClosed();
        log.Add(new CommandEvent(tag));
        return tag;
    }

    private void Record(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        var (writer, write, offset) = whose(data);
        for (var i = 0; i < data.Length; i++)
        {
            log.Add(new ByteEvent(writer, write, offset + i));
        }
    }

    private void ThrowIfClosed() => ObjectDisposedException.ThrowIf(_closed, this);
}
