using System.Globalization;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Metrics;
using Concentrator.Ports.Port;
using Concentrator.Ports.Session;
using Concentrator.Testing;
using Xunit.Abstractions;

namespace Concentrator.Ports.Tests.DataPlane;

/// <summary>
/// The device-to-client half against invariant 4, over seeded random schedules: device output reaches every session in
/// order from its join point, its replay (the port's scrollback when it joined) meets its live output with no gap and no
/// duplicate, whatever the order of publishes, joins, leaves and the port's drains; and a session's bounded queue
/// under drop-oldest loses only what it counts (so the notice it gives is never short), in order, never a reply.
/// CONCENTRATOR_OUTPUT_SCHEDULES runs more; CONCENTRATOR_OUTPUT_SEED replays one.
/// </summary>
public sealed class DeviceOutputModelTests(ITestOutputHelper output) : TestKit
{
    [Fact]
    public void Joins_replay_then_live_output_with_no_gap_and_no_duplicate()
    {
        ForEachSeed("CONCENTRATOR_OUTPUT", 2_000, seed =>
        {
            var random = new Random(seed);
            var hub = new DeviceOutputHub(ActorRefs.Nobody, Sys.Scheduler, new PortMetrics("model"));
            var published = new List<byte[]>();
            var scrollback = new List<byte[]>(); // what the port took, in order (its scrollback and log)
            var sinks = new List<(RecordingSink Sink, int ReplayedChunks, bool Subscribed)>();
            for (var step = random.Next(10, 200); step > 0; step--)
            {
                var r = random.Next(100);
                if (r < 50)
                {
                    var chunk = new byte[random.Next(1, 8)];
                    published.Add(chunk);
                    hub.Publish(chunk);
                }
                else if (r < 65)
                {
                    var sink = new RecordingSink();
                    scrollback.AddRange(hub.Subscribe(sink).Select(c => c.Data)); // the join takes what the port had not
                    sinks.Add((sink, scrollback.Count, true));
                }
                else if (r < 90)
                {
                    scrollback.AddRange(hub.TakeForPort().Select(c => c.Data));
                }
                else if (sinks.Count > 0)
                {
                    var i = random.Next(sinks.Count);
                    hub.Unsubscribe(sinks[i].Sink);
                    sinks[i] = sinks[i] with { Subscribed = false };
                }
            }

            scrollback.AddRange(hub.TakeForPort().Select(c => c.Data));
            Assert.Equal(published, scrollback); // the port misses nothing and repeats nothing either
            foreach (var (sink, replayed, subscribed) in sinks)
            {
                var seen = published.Take(replayed).Concat(sink.Received).ToList();
                Assert.True(seen.Count <= published.Count, "a session got more than was published");
                for (var i = 0; i < seen.Count; i++)
                {
                    Assert.True(ReferenceEquals(seen[i], published[i]), $"chunk {i}: replay and live output do not meet exactly");
                }

                Assert.True(!subscribed || seen.Count == published.Count, "a session still joined missed the newest output");
            }
        });
    }

    [Fact]
    public void A_full_drop_oldest_queue_loses_only_what_it_counts_in_order_and_never_a_reply()
    {
        ForEachSeed("CONCENTRATOR_OUTPUT", 2_000, seed =>
        {
            var random = new Random(seed);
            var stream = new byte[100_000]; // every data chunk is a slice of it: where a delivered one starts says what it is
            var capacity = random.Next(8, 200);
            var queue = new OutputQueue(capacity, OverflowPolicy.DropOldest);
            var sent = 0;
            var delivered = 0L;
            var lastEnd = 0;
            long dropped = 0;
            var controlsIn = 0;
            var controlsOut = 0;
            var batch = new List<ReadOnlyMemory<byte>>();
            for (var step = random.Next(10, 300); step > 0; step--)
            {
                var r = random.Next(100);
                if (r < 55 && sent < stream.Length - 600)
                {
                    var length = random.Next(1, Math.Min(capacity * 2, 500));
                    Assert.True(queue.Enqueue(stream.AsMemory(sent, length)));
                    sent += length;
                }
                else if (r < 60)
                {
                    queue.EnqueueControl(new byte[] { 1, 2 });
                    controlsIn++;
                }
                else
                {
                    batch.Clear();
                    queue.DequeueBatch(batch, random.Next(1, 300));
                    dropped += queue.TakeDroppedCount();
                    foreach (var chunk in batch)
                    {
                        if (!MemoryMarshal.TryGetArray(chunk, out var segment) || segment.Array != stream)
                        {
                            controlsOut++;
                            continue;
                        }

                        Assert.True(segment.Offset >= lastEnd, "output went out of order or twice");
                        delivered += segment.Count;
                        lastEnd = segment.Offset + segment.Count;
                    }
                }
            }

            // Drain, then every byte sent is either delivered or counted as dropped, and every reply went out.
            do
            {
                batch.Clear();
                queue.DequeueBatch(batch, int.MaxValue);
                dropped += queue.TakeDroppedCount();
                foreach (var chunk in batch)
                {
                    if (MemoryMarshal.TryGetArray(chunk, out var segment) && segment.Array == stream)
                    {
                        Assert.True(segment.Offset >= lastEnd, "output went out of order or twice");
                        delivered += segment.Count;
                        lastEnd = segment.Offset + segment.Count;
                    }
                    else
                    {
                        controlsOut++;
                    }
                }
            }
            while (batch.Count > 0);

            Assert.Equal(sent, delivered + dropped);
            Assert.Equal(controlsIn, controlsOut);
        });
    }

    private void ForEachSeed(string prefix, int defaultCount, Action<int> schedule) =>
        SeededSchedules.Run(prefix, defaultCount, output.WriteLine, schedule);

    private sealed class RecordingSink : IDeviceOutputSink
    {
        public List<byte[]> Received { get; } = [];

        public void Deliver(byte[] chunk) => Received.Add(chunk);

        public void UseBackpressure(bool on)
        {
        }
    }
}
