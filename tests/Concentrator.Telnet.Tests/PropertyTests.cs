using System.Buffers;
using Concentrator.Telnet.Rfc2217;
using CsCheck;

namespace Concentrator.Telnet.Tests;

public sealed class PropertyTests
{
    private const long Iterations = 400;

    private static readonly Gen<byte> ByteBiasedToIac =
        Gen.Frequency((3, Gen.Byte), (1, Gen.Const((byte)0xFF)));

    private static readonly Gen<byte> InterestingByte =
        Gen.OneOf<byte>(255, 255, 255, 250, 240, 251, 252, 253, 254, 243, 246, 241, 244, 13, 13, 0, 10, 44, 1, 3, 24, 31, 99, 7);

    private static readonly Gen<byte> Option = Gen.OneOf<byte>(0, 1, 3, 24, 31, 44, 99, 255);

    private static readonly Gen<byte[]> Token = Gen.Frequency(
        (4, Gen.Byte.Array[1, 6]),
        (4, InterestingByte.Array[1, 4]),
        (3, Gen.Select(Gen.OneOf<byte>(251, 252, 253, 254), Option, (verb, option) => new byte[] { 255, verb, option })),
        (4, Gen.Select(Gen.Byte[0, 13], ByteBiasedToIac.Array[0, 5], (code, value) => Wire.Sb44([code, .. value]))),
        (1, ByteBiasedToIac.Array[4].Select(v => Wire.Sub(31, v))),
        (1, Gen.Byte.Array[0, 8].Select(v => Wire.Sub(24, [0, .. v]))),
        (1, Gen.Select(Option, ByteBiasedToIac.Array[0, 300], (o, v) => Wire.Sub(o, v))),
        (1, Gen.Select(Option, ByteBiasedToIac.Array[0, 300], (o, v) => (byte[])[255, 250, o, .. v])), // unterminated
        (1, Gen.OneOf<byte[]>([255, 243], [255, 246], [13, 0], [13, 10], [255, 255])));

    private static readonly Gen<byte[]> CommandHeavyStream = Token.Array[0, 60].Select(ts => ts.SelectMany(t => t).ToArray());

    private static readonly Gen<byte[]> IacHeavyStream = InterestingByte.Array[0, 600];

    private static readonly Gen<byte[]> AnyStream = Gen.Byte.Array[0, 2000];

    private static readonly Gen<byte[]> Stream = Gen.OneOf(CommandHeavyStream, IacHeavyStream, AnyStream);

    /// <summary>Segment lengths, used cyclically to cut a stream; many small ones to split inside sequences.</summary>
    private static readonly Gen<int[]> Cuts = Gen.Frequency((2, Gen.Int[1, 4].Array[1, 20]), (1, Gen.Int[1, 200].Array[1, 20]));

    private static readonly Gen<TelnetMode> Mode = Gen.OneOf(TelnetMode.Telnet, TelnetMode.Rfc2217);

    private static IEnumerable<byte[]> Split(byte[] stream, int[] cuts)
    {
        var offset = 0;
        for (var i = 0; offset < stream.Length; i++)
        {
            var length = Math.Min(cuts[i % cuts.Length], stream.Length - offset);
            yield return stream[offset..(offset + length)];
            offset += length;
        }
    }

    private sealed record Outcome(string Trace, byte[] Replies);

    private static Outcome Run(TelnetMode mode, bool start, IEnumerable<byte[]> segments)
    {
        var codec = new TelnetServerCodec(mode);
        var replies = new ArrayBufferWriter<byte>();
        if (start)
        {
            codec.Start(replies);
        }

        var trace = new TraceReceiver();
        foreach (var segment in segments)
        {
            codec.Receive(segment, replies, trace);
            Assert.Equal(TelnetServerCodec.MaxSubnegotiationLength, codec.SubnegotiationCapacity);
            Assert.InRange(codec.SubnegotiationLength, 0, TelnetServerCodec.MaxSubnegotiationLength);
        }

        return new Outcome(trace.Describe(), replies.WrittenSpan.ToArray());
    }

    [Fact]
    public void Any_split_gives_the_same_data_events_and_replies_as_the_unsplit_stream()
    {
        Gen.Select(Stream, Cuts, Mode, Gen.Bool).Sample((stream, cuts, mode, start) =>
        {
            var whole = Run(mode, start, [stream]);
            var split = Run(mode, start, Split(stream, cuts));
            Assert.Equal(whole.Trace, split.Trace);
            Assert.Equal(whole.Replies, split.Replies);
        }, iter: Iterations);
    }

    [Fact]
    public void Buffer_overload_matches_the_ordered_receiver()
    {
        Gen.Select(Stream, Cuts, Mode).Sample((stream, cuts, mode) =>
        {
            var ordered = new TelnetServerCodec(mode);
            var orderedReplies = new ArrayBufferWriter<byte>();
            ordered.Start(orderedReplies);
            var trace = new TraceReceiver();
            ordered.Receive(stream, orderedReplies, trace);

            var buffered = new TelnetServerCodec(mode);
            var data = new ArrayBufferWriter<byte>();
            var replies = new ArrayBufferWriter<byte>();
            var events = new List<TelnetEvent>();
            buffered.Start(replies);
            foreach (var segment in Split(stream, cuts))
            {
                buffered.Receive(segment, data, replies, events);
            }

            Assert.Equal(trace.Trace.OfType<List<byte>>().SelectMany(d => d).ToArray(), data.WrittenSpan.ToArray());
            Assert.Equal(trace.Trace.OfType<TelnetEvent>(), events);
            Assert.Equal(orderedReplies.WrittenSpan.ToArray(), replies.WrittenSpan.ToArray());
        }, iter: Iterations);
    }

    [Fact]
    public void Encoded_data_round_trips_through_a_receiving_codec()
    {
        var data = Gen.Frequency((4, Gen.Byte), (1, Gen.OneOf<byte>(13, 0, 10, 255))).Array[0, 3000];
        Gen.Select(data, Cuts, Cuts, Gen.Bool).Sample((original, encodeCuts, decodeCuts, binary) =>
        {
            var sender = new TelnetServerCodec(TelnetMode.Telnet);
            var receiver = new TelnetServerCodec(TelnetMode.Telnet);
            var ignored = new ArrayBufferWriter<byte>();
            var decoded = new ArrayBufferWriter<byte>();
            var events = new List<TelnetEvent>();
            if (binary)
            {
                sender.Start(ignored);
                sender.Receive(Wire.Cmd(Wire.Do, 0), decoded, ignored, events);
                receiver.Receive(Wire.Cmd(Wire.Will, 0), decoded, ignored, events);
                Assert.True(sender.IsBinaryOut && receiver.IsBinaryIn);
            }

            var wire = new ArrayBufferWriter<byte>();
            foreach (var chunk in Split(original, encodeCuts))
            {
                sender.EncodeData(chunk, wire);
            }

            var replies = new ArrayBufferWriter<byte>();
            foreach (var segment in Split(wire.WrittenSpan.ToArray(), decodeCuts))
            {
                receiver.Receive(segment, decoded, replies, events);
            }

            Assert.Equal(original, decoded.WrittenSpan.ToArray());
            Assert.Empty(events);
            Assert.Equal(0, replies.WrittenCount);
        }, iter: Iterations);
    }

    [Fact]
    public void Encoding_is_stateless_across_chunks()
    {
        Gen.Select(Gen.OneOf(IacHeavyStream, AnyStream), Cuts, Gen.Bool).Sample((data, cuts, binary) =>
        {
            var codec = new TelnetServerCodec(TelnetMode.Telnet);
            if (binary)
            {
                codec.Start(new ArrayBufferWriter<byte>());
                codec.Receive(Wire.Cmd(Wire.Do, 0), new ArrayBufferWriter<byte>(), new ArrayBufferWriter<byte>(), []);
            }

            var whole = new ArrayBufferWriter<byte>();
            codec.EncodeData(data, whole);
            var chunked = new ArrayBufferWriter<byte>();
            foreach (var chunk in Split(data, cuts))
            {
                codec.EncodeData(chunk, chunked);
            }

            Assert.Equal(whole.WrittenSpan.ToArray(), chunked.WrittenSpan.ToArray());
            var expectedLength = data.Length + data.Count(b => b == 255) + (binary ? 0 : data.Count(b => b == 13));
            Assert.Equal(expectedLength, whole.WrittenCount);
        }, iter: Iterations);
    }

    private sealed class NullReceiver : ITelnetReceiver
    {
        public long DataBytes { get; private set; }

        public List<TelnetEvent> Events { get; } = [];

        public void OnData(ReadOnlySpan<byte> data) => DataBytes += data.Length;

        public void OnEvent(TelnetEvent telnetEvent) => Events.Add(telnetEvent);
    }

    [Theory]
    [InlineData((byte)'x')]
    [InlineData((byte)0xFF)] // IAC IAC pairs: a doubled 0xFF inside the subnegotiation
    public void Megabytes_of_unterminated_subnegotiation_do_not_grow_memory(byte filler)
    {
        var codec = new TelnetServerCodec(TelnetMode.Rfc2217);
        var replies = new ArrayBufferWriter<byte>(1024);
        var receiver = new NullReceiver();
        codec.Start(replies);
        codec.Receive([.. Wire.Cmd(Wire.Will, 44), 255, 250, 44, 1], replies, receiver);
        Assert.Equal([ComPortEnabled.Instance], receiver.Events);
        receiver.Events.Clear();

        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, filler);
        codec.Receive(chunk, replies, receiver); // warm up
        var maxBuffered = 0;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 64; i++) // 4 MiB
        {
            codec.Receive(chunk, replies, receiver);
            maxBuffered = Math.Max(maxBuffered, codec.SubnegotiationLength);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.InRange(maxBuffered, 1, TelnetServerCodec.MaxSubnegotiationLength);
        Assert.InRange(allocated, 0, 4096);
        Assert.Equal(TelnetServerCodec.MaxSubnegotiationLength, codec.SubnegotiationCapacity);
        Assert.Equal(0, receiver.DataBytes);

        // The over-long subnegotiation is discarded at its end and the stream carries on.
        codec.Receive([255, 240, .. Wire.Sb44(2, 8), (byte)'k'], replies, receiver);
        Assert.Equal([new SetDataSize(8)], receiver.Events);
        Assert.Equal(1, receiver.DataBytes);
        Assert.Equal(0, codec.SubnegotiationLength);
    }

    [Fact]
    public void Subnegotiation_of_exactly_the_cap_is_kept_and_one_more_byte_is_dropped()
    {
        var codec = new TelnetServerCodec(TelnetMode.Rfc2217);
        var replies = new ArrayBufferWriter<byte>();
        var events = new List<TelnetEvent>();
        codec.Start(replies);
        var sig = new string('s', TelnetServerCodec.MaxSubnegotiationLength - 1);
        codec.Receive(Wire.Sb44([0, .. System.Text.Encoding.ASCII.GetBytes(sig)]), new ArrayBufferWriter<byte>(), replies, events);
        codec.Receive(Wire.Sb44([0, .. System.Text.Encoding.ASCII.GetBytes(sig + "t")]), new ArrayBufferWriter<byte>(), replies, events);
        Assert.Equal([ComPortEnabled.Instance, new Signature(sig)], events);
    }
}
