using System.Buffers;

namespace Concentrator.Telnet.Tests;

/// <summary>Byte builders for the tests, written independently of the codec's own framing code.</summary>
internal static class Wire
{
    public const byte Iac = 255, Dont = 254, Do = 253, Wont = 252, Will = 251, Sb = 250, Se = 240;

    public static byte[] Cmd(byte verb, byte option) => [Iac, verb, option];

    /// <summary>IAC SB option payload IAC SE, with 0xFF doubled in the payload.</summary>
    public static byte[] Sub(byte option, params byte[] payload)
    {
        var bytes = new List<byte> { Iac, Sb, option };
        foreach (var b in payload)
        {
            bytes.Add(b);
            if (b == Iac)
            {
                bytes.Add(Iac);
            }
        }

        bytes.Add(Iac);
        bytes.Add(Se);
        return [.. bytes];
    }

    public static byte[] Sb44(params byte[] payload) => Sub(44, payload);

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    public static int Count(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle)
    {
        var count = 0;
        for (var i = 0; i + needle.Length <= haystack.Length; i++)
        {
            if (haystack.Slice(i, needle.Length).SequenceEqual(needle))
            {
                count++;
            }
        }

        return count;
    }
}

/// <summary>A codec plus collected outputs, fed like a session would.</summary>
internal sealed class Harness
{
    public Harness(TelnetMode mode, bool start = true)
    {
        Codec = new TelnetServerCodec(mode);
        if (start)
        {
            Codec.Start(StartBytes);
        }
    }

    public TelnetServerCodec Codec { get; }

    public ArrayBufferWriter<byte> StartBytes { get; } = new();

    public ArrayBufferWriter<byte> Data { get; } = new();

    public ArrayBufferWriter<byte> Reply { get; } = new();

    public List<TelnetEvent> Events { get; } = [];

    /// <summary>Feeds bytes and returns only what this call added to the replies.</summary>
    public byte[] Feed(params byte[] input)
    {
        var before = Reply.WrittenCount;
        Codec.Receive(input, Data, Reply, Events);
        return Reply.WrittenSpan[before..].ToArray();
    }

    public List<TelnetEvent> TakeEvents()
    {
        var taken = Events.ToList();
        Events.Clear();
        return taken;
    }

    public static byte[] Encode(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }

}

/// <summary>Records data and events in stream order, merging adjacent data fragments.</summary>
internal sealed class TraceReceiver : ITelnetReceiver
{
    public List<object> Trace { get; } = [];

    public void OnData(ReadOnlySpan<byte> data)
    {
        if (Trace.Count > 0 && Trace[^1] is List<byte> last)
        {
            last.AddRange(data.ToArray());
        }
        else
        {
            Trace.Add(new List<byte>(data.ToArray()));
        }
    }

    public void OnEvent(TelnetEvent telnetEvent) => Trace.Add(telnetEvent);

    public string Describe() => string.Join(" | ", Trace.Select(t => t is List<byte> l ? Convert.ToHexString([.. l]) : t.ToString()));
}
