using System.Globalization;
using Concentrator.Ports.Automation;
using Concentrator.Testing;
using Xunit.Abstractions;

namespace Concentrator.Ports.Tests.Automation;

/// <summary>
/// The capture ring against a model (every byte ever appended, in a list), over seeded random schedules of appends and
/// reads: offsets are monotonic, what is kept is exactly the newest <see cref="OutputCapture.Capacity"/> bytes, and a read
/// from any offset (before the start, inside, at or past the end) gives the model's bytes from where the capture has them.
/// Then a writer racing readers: no read ever returns a byte that was overwritten while it copied.
/// </summary>
public sealed class OutputCaptureModelTests(ITestOutputHelper output)
{
    [Fact]
    public void Reads_from_any_offset_match_the_model_across_wraparounds()
    {
        ForEachSeed("CONCENTRATOR_CAPTURE", 3_000, seed =>
        {
            var random = new Random(seed);
            var capacity = random.Next(1, 300);
            var capture = new OutputCapture(capacity);
            var model = new List<byte>();
            for (var step = 0; step < 60; step++)
            {
                var chunk = new byte[random.Next(0, capacity * 2 + 2)];
                random.NextBytes(chunk);
                capture.Append(chunk);
                model.AddRange(chunk);
                Assert.Equal(model.Count, capture.End);
                Assert.Equal(Math.Max(0, model.Count - capacity), capture.Start);
                for (var r = 0; r < 3; r++)
                {
                    var from = (long)random.Next(0, model.Count + 10);
                    var into = new byte[random.Next(0, capacity + 5)];
                    var (at, count) = capture.Read(from, into);
                    var expectedAt = Math.Max(from, capture.Start);
                    Assert.Equal(expectedAt, at);
                    Assert.Equal((int)Math.Clamp(model.Count - expectedAt, 0, into.Length), count);
                    for (var i = 0; i < count; i++)
                    {
                        Assert.True(model[(int)at + i] == into[i], $"byte at offset {at + i} differs from the model");
                    }
                }
            }
        });
    }

    [Fact]
    public async Task A_waiting_reader_is_woken_by_the_next_append_and_not_before()
    {
        var capture = new OutputCapture(16);
        capture.Append([1, 2]);
        Assert.True(capture.WaitBeyondAsync(1, CancellationToken.None).IsCompletedSuccessfully);
        var waiting = capture.WaitBeyondAsync(2, CancellationToken.None);
        Assert.False(waiting.IsCompleted); // the sentinel: nothing appended yet
        capture.Append([3]);
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Readers_racing_the_writer_never_see_an_overwritten_byte()
    {
        // Byte at offset o is o % 251: any torn or overwritten read shows up as a byte that does not fit its offset.
        var capture = new OutputCapture(4096);
        const long total = 20_000_000;
        var writer = new Thread(() =>
        {
            var random = new Random(1);
            var chunk = new byte[1500];
            for (long o = 0; o < total;)
            {
                var n = random.Next(1, chunk.Length);
                for (var i = 0; i < n; i++)
                {
                    chunk[i] = (byte)((o + i) % 251);
                }

                capture.Append(chunk.AsSpan(0, n));
                o += n;
            }
        });
        writer.Start();
        var into = new byte[3000];
        var reads = 0L;
        while (writer.IsAlive || reads == 0)
        {
            var (at, count) = capture.Read(Math.Max(0, capture.End - 3500), into);
            for (var i = 0; i < count; i++)
            {
                Assert.True(into[i] == (byte)((at + i) % 251), $"read at {at}: byte {i} was overwritten while it was copied");
            }

            reads++;
        }

        writer.Join();
        output.WriteLine($"{reads} reads raced the writer");
    }

    private void ForEachSeed(string prefix, int defaultCount, Action<int> schedule) =>
        SeededSchedules.Run(prefix, defaultCount, output.WriteLine, schedule);
}
