using System.Buffers;
using CsCheck;

namespace Concentrator.Telnet.Tests;

/// <summary>Properties of the role-neutral <see cref="TelnetParser"/> that both codecs read through.</summary>
public sealed class ParserPropertyTests
{
    private const long Iterations = 400;

    private static readonly Gen<byte> ByteBiasedToIac = Gen.Frequency((3, Gen.Byte), (1, Gen.Const((byte)0xFF)));

    private static readonly Gen<byte> InterestingByte =
        Gen.OneOf<byte>(255, 255, 255, 250, 240, 251, 252, 253, 254, 243, 246, 241, 13, 13, 0, 10, 0, 1, 3, 44, 99);

    private static readonly Gen<byte> Option = Gen.OneOf<byte>(0, 1, 3, 24, 31, 44, 99, 255);

    private static readonly Gen<byte[]> Piece = Gen.Frequency(
        (4, Gen.Byte.Array[1, 6]),
        (4, InterestingByte.Array[1, 4]),
        (3, Gen.Select(Gen.OneOf<byte>(251, 252, 253, 254), Option, (verb, option) => new byte[] { 255, verb, option })),
        (3, Gen.Select(Option, ByteBiasedToIac.Array[0, 40], (o, v) => Wire.Sub(o, v))),
        (1, Gen.Select(Option, ByteBiasedToIac.Array[0, 60], (o, v) => (byte[])[255, 250, o, .. v])), // unterminated
        (1, Gen.OneOf<byte[]>([255, 243], [255, 246], [255, 240], [13, 0], [13, 10], [255, 255])));

    private static readonly Gen<byte[]> Stream = Gen.OneOf(
        Piece.Array[0, 60].Select(ps => ps.SelectMany(p => p).ToArray()),
        InterestingByte.Array[0, 600],
        Gen.Byte.Array[0, 2000]);

    /// <summary>Segment lengths, used cyclically to cut a stream; many small ones to split inside sequences.</summary>
    private static readonly Gen<int[]> Cuts = Gen.Frequency((2, Gen.Int[1, 4].Array[1, 20]), (1, Gen.Int[1, 200].Array[1, 20]));

    /// <summary>Limits around the lengths the generated subnegotiations have, so both sides of the cap are hit.</summary>
    private static readonly Gen<int> Limit = Gen.Int[0, 48];

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

    private static TelnetParser NewParser(int limit)
    {
        var parser = new TelnetParser(limit);
        parser.Options.AllowHim(TelnetOption.Binary);
        parser.Options.AllowHim(TelnetOption.ComPort);
        parser.Options.AllowUs(TelnetOption.Binary);
        parser.Options.AllowUs(TelnetOption.SuppressGoAhead);
        return parser;
    }

    /// <summary>Reads every segment to its end; returns the tokens (adjacent data merged) and the replies.</summary>
    private static (List<string> Tokens, byte[] Replies) ReadAll(TelnetParser parser, IEnumerable<byte[]> segments)
    {
        var tokens = new List<string>();
        var data = new List<byte>();
        var replies = new ArrayBufferWriter<byte>();
        foreach (var segment in segments)
        {
            ReadOnlySpan<byte> input = segment;
            while (parser.Read(ref input, replies, out var token))
            {
                if (token.Kind == TelnetTokenKind.Data)
                {
                    Assert.False(token.Bytes.IsEmpty);
                    data.AddRange(token.Bytes);
                    continue;
                }

                if (data.Count > 0)
                {
                    tokens.Add("data " + Convert.ToHexString([.. data]));
                    data.Clear();
                }

                tokens.Add(token.Kind switch
                {
                    TelnetTokenKind.Command => $"command {token.Code}",
                    TelnetTokenKind.Negotiation => $"negotiation {token.Code} {token.Option} {token.Change}",
                    _ => $"subnegotiation {token.Option} {Convert.ToHexString(token.Bytes)}",
                });
            }

            Assert.True(input.IsEmpty);
            Assert.InRange(parser.SubnegotiationLength, 0, parser.MaxSubnegotiationLength);
        }

        if (data.Count > 0)
        {
            tokens.Add("data " + Convert.ToHexString([.. data]));
        }

        return (tokens, replies.WrittenSpan.ToArray());
    }

    [Fact]
    public void Any_split_gives_the_same_tokens_and_replies_as_the_unsplit_stream()
    {
        Gen.Select(Stream, Cuts, Limit).Sample((stream, cuts, limit) =>
        {
            var whole = ReadAll(NewParser(limit), [stream]);
            var split = ReadAll(NewParser(limit), Split(stream, cuts));
            Assert.Equal(whole.Tokens, split.Tokens);
            Assert.Equal(whole.Replies, split.Replies);
        }, iter: Iterations);
    }

    [Fact]
    public void Data_written_with_iac_doubled_reads_back_unchanged()
    {
        var data = Gen.Frequency((4, Gen.Byte), (1, Gen.OneOf<byte>(13, 0, 10, 255))).Array[0, 3000];
        Gen.Select(data, Cuts, Cuts, Gen.Bool).Sample((original, writeCuts, readCuts, binary) =>
        {
            var parser = NewParser(16);
            var replies = new ArrayBufferWriter<byte>();
            if (binary)
            {
                ReadOnlySpan<byte> will = Wire.Cmd(Wire.Will, TelnetOption.Binary);
                while (parser.Read(ref will, replies, out _))
                {
                }

                Assert.True(parser.Options.IsHimEnabled(TelnetOption.Binary));
            }

            var wire = new ArrayBufferWriter<byte>();
            foreach (var chunk in Split(original, writeCuts))
            {
                TelnetFraming.WriteData(wire, chunk, binary);
            }

            var (tokens, _) = ReadAll(parser, Split(wire.WrittenSpan.ToArray(), readCuts));
            string[] expected = original.Length == 0 ? [] : ["data " + Convert.ToHexString(original)];
            Assert.Equal(expected, tokens);
        }, iter: Iterations);
    }

    [Fact]
    public void A_framed_subnegotiation_reads_back_as_one_token_within_the_limit_and_none_beyond()
    {
        Gen.Select(Option, ByteBiasedToIac.Array[0, 64], Limit, Cuts).Sample((option, payload, limit, cuts) =>
        {
            var wire = new ArrayBufferWriter<byte>();
            TelnetFraming.WriteSubnegotiation(wire, option, payload);
            wire.Write("k"u8);

            var (tokens, replies) = ReadAll(NewParser(limit), Split(wire.WrittenSpan.ToArray(), cuts));

            var subnegotiation = $"subnegotiation {option} {Convert.ToHexString(payload)}";
            string[] expected = payload.Length <= limit ? [subnegotiation, "data 6B"] : ["data 6B"];
            Assert.Equal(expected, tokens);
            Assert.Empty(replies);
        }, iter: Iterations);
    }

    [Fact]
    public void An_unterminated_subnegotiation_never_buffers_past_the_limit_nor_allocates()
    {
        Gen.Select(Limit, ByteBiasedToIac.Array[1, 4096], Cuts).Sample((limit, filler, cuts) =>
        {
            var parser = NewParser(limit);
            var replies = new ArrayBufferWriter<byte>();
            ReadOnlySpan<byte> open = [Wire.Iac, Wire.Sb, TelnetOption.ComPort];
            Assert.False(parser.Read(ref open, replies, out _));

            // Doubled so every 0xFF stays a payload byte and the subnegotiation never ends.
            var body = Wire.Sub(0, filler)[3..^2];
            var segments = Split(body, cuts).ToList();
            var tokenCount = 0;
            var maxBuffered = 0;
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            foreach (var segment in segments)
            {
                ReadOnlySpan<byte> input = segment;
                while (parser.Read(ref input, replies, out _))
                {
                    tokenCount++;
                }

                maxBuffered = Math.Max(maxBuffered, parser.SubnegotiationLength);
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            Assert.InRange(allocated, 0, 4096); // bounded, not growing with the input (a margin for runtime bookkeeping)
            Assert.Equal(0, tokenCount);
            Assert.InRange(maxBuffered, 0, limit);
            Assert.Equal(limit, parser.MaxSubnegotiationLength);
            Assert.Equal(0, replies.WrittenCount);

            // Its end drops it (when over the limit) and the stream carries on.
            var (tokens, _) = ReadAll(parser, [[Wire.Iac, Wire.Se, (byte)'k']]);
            string[] expected = filler.Length <= limit ? [$"subnegotiation 44 {Convert.ToHexString(filler)}", "data 6B"] : ["data 6B"];
            Assert.Equal(expected, tokens);
            Assert.Equal(0, parser.SubnegotiationLength);
        }, iter: Iterations);
    }

    [Fact]
    public void Iac_and_a_command_inside_a_subnegotiation_drops_it_and_is_read_as_that_command()
    {
        var (tokens, replies) = ReadAll(NewParser(16), [[Wire.Iac, Wire.Sb, 44, 1, 2, Wire.Iac, Wire.Will, 0, (byte)'x', Wire.Iac, 243]]);

        Assert.Equal(["negotiation 251 0 HimEnabled", "data 78", "command 243"], tokens);
        Assert.Equal(Wire.Cmd(Wire.Do, 0), replies);
    }

    [Fact]
    public void Saw_iac_is_set_by_the_first_iac_only()
    {
        var parser = NewParser(16);
        _ = ReadAll(parser, ["busy\r\n"u8.ToArray()]);
        Assert.False(parser.SawIac);
        _ = ReadAll(parser, [[(byte)'a', Wire.Iac]]);
        Assert.True(parser.SawIac);
    }
}
