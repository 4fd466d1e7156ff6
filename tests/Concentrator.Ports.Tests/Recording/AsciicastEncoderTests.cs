using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Concentrator.Ports.Recording;
using Concentrator.Testing;
using Xunit.Abstractions;

namespace Concentrator.Ports.Tests.Recording;

/// <summary>
/// The asciicast encoder over seeded random byte streams cut at random places (characters split across chunks, several
/// streams interleaved): what a player gets back from the file is exactly the stream as one piece would decode — the
/// very bytes when they are UTF-8, U+FFFD for what is not.
/// </summary>
public sealed class AsciicastEncoderTests(ITestOutputHelper output)
{
    private static readonly UTF8Encoding Utf8 = new(false, false);

    [Fact]
    public void Output_and_each_sessions_input_decode_to_what_was_sent_however_the_chunks_fall()
    {
        ForEachSeed(2_000, seed =>
        {
            var random = new Random(seed);
            var invalid = random.Next(3) == 0; // a third of the schedules carry bytes that are not UTF-8
            var streams = new Dictionary<int, byte[]> { [0] = RandomText(random, random.Next(0, 400), invalid) };
            for (var session = 1; session <= random.Next(0, 3); session++)
            {
                streams[session] = RandomText(random, random.Next(0, 100), invalid);
            }

            var buffer = new ArrayBufferWriter<byte>();
            var encoder = new AsciicastEncoder(buffer);
            encoder.Header(80, 24, DateTimeOffset.UnixEpoch, "port model", "model", "all");
            var offsets = streams.Keys.ToDictionary(k => k, _ => 0);
            var time = 0.0;
            var typing = 0; // input events belong to the session named by the marker before them, as the recorder writes it
            while (offsets.Any(o => o.Value < streams[o.Key].Length))
            {
                var stream = offsets.Where(o => o.Value < streams[o.Key].Length).Select(o => o.Key).ElementAt(random.Next(offsets.Count(o => o.Value < streams[o.Key].Length)));
                var take = Math.Min(random.Next(1, 8), streams[stream].Length - offsets[stream]);
                if (stream != 0 && stream != typing)
                {
                    encoder.Marker(time, $"stream {stream}");
                    typing = stream;
                }

                encoder.Bytes(time += 0.001, stream, streams[stream].AsSpan(offsets[stream], take));
                offsets[stream] += take;
                if (random.Next(20) == 0)
                {
                    encoder.Marker(time, "a marker between chunks");
                }
            }

            foreach (var stream in streams.Keys)
            {
                encoder.Marker(time, $"stream {stream}");
                encoder.End(time, stream);
            }

            var (header, played) = Play(buffer.WrittenSpan.ToArray());
            Assert.Equal(2, header.GetProperty("version").GetInt32());
            foreach (var (stream, sent) in streams)
            {
                var expected = Utf8.GetBytes(Utf8.GetString(sent)); // the bytes themselves when they are UTF-8
                Assert.Equal(expected, played.GetValueOrDefault(stream, []));
                if (!invalid)
                {
                    Assert.Equal(sent, played.GetValueOrDefault(stream, []));
                }
            }
        });
    }

    /// <summary>Characters of one to four bytes, controls and NUL included; with <paramref name="invalid"/>, stray bytes too.</summary>
    private static byte[] RandomText(Random random, int characters, bool invalid)
    {
        var bytes = new List<byte>();
        Span<byte> encoded = stackalloc byte[4];
        for (var i = 0; i < characters; i++)
        {
            if (invalid && random.Next(10) == 0)
            {
                bytes.Add((byte)random.Next(0x80, 0x100)); // a lone continuation or lead byte, 0xC0/0xFF included
                continue;
            }

            var rune = random.Next(5) switch
            {
                0 => new Rune(random.Next(0, 0x20)),
                1 => new Rune(random.Next(0x20, 0x80)),
                2 => new Rune(random.Next(0x80, 0x800)),
                3 => RandomRune(random, 0x800, 0x10000),
                _ => RandomRune(random, 0x10000, 0x110000),
            };
            bytes.AddRange(encoded[..rune.EncodeToUtf8(encoded)]);
        }

        return [.. bytes];
    }

    private static Rune RandomRune(Random random, int from, int to)
    {
        while (true)
        {
            if (Rune.TryCreate(random.Next(from, to), out var rune))
            {
                return rune; // not a surrogate
            }
        }
    }

    /// <summary>What a player reads: the header, and per stream ("o" is 0, an "i" the session the marker before it names) the text's bytes.</summary>
    private static (JsonElement Header, Dictionary<int, byte[]> Streams) Play(byte[] file)
    {
        var lines = Encoding.UTF8.GetString(file).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = JsonDocument.Parse(lines[0]).RootElement.Clone();
        var streams = new Dictionary<int, List<byte>>();
        var last = 0.0;
        var typing = 0;
        foreach (var line in lines.Skip(1))
        {
            var e = JsonDocument.Parse(line).RootElement;
            Assert.Equal(3, e.GetArrayLength());
            var time = e[0].GetDouble();
            Assert.True(time >= last, "time went back");
            last = time;
            var code = e[1].GetString();
            Assert.Contains(code, new[] { "o", "i", "m" });
            if (code == "m" && e[2].GetString()!.StartsWith("stream ", StringComparison.Ordinal))
            {
                typing = int.Parse(e[2].GetString()!["stream ".Length..], CultureInfo.InvariantCulture);
            }
            else if (code != "m")
            {
                var text = e[2].GetString()!;
                Assert.NotEmpty(text);
                var key = code == "o" ? 0 : typing;
                (streams.TryGetValue(key, out var list) ? list : streams[key] = []).AddRange(Encoding.UTF8.GetBytes(text));
            }
        }

        return (header, streams.ToDictionary(s => s.Key, s => s.Value.ToArray()));
    }

    private void ForEachSeed(int defaultCount, Action<int> schedule) =>
        SeededSchedules.Run("CONCENTRATOR_ASCIICAST", defaultCount, output.WriteLine, schedule);
}
