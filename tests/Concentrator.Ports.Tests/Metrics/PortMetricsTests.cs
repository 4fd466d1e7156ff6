using System.Diagnostics.Metrics;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Metrics;

namespace Concentrator.Ports.Tests.Metrics;

/// <summary>The instruments carry the port's tags, and recording on the data path allocates nothing.</summary>
public sealed class PortMetricsTests
{
    [Fact]
    public void Bytes_are_recorded_with_the_port_tag_without_allocating()
    {
        var port = $"p-{Guid.NewGuid():N}"; // other tests' ports record on the same static meter
        long bytes = 0;
        string? tags = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PortMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tagSpan, _) =>
        {
            if (instrument.Name == "concentrator.device.read" && tagSpan.Length > 0 && Equals(tagSpan[0].Value, port))
            {
                bytes += value;
                tags ??= string.Join(",", tagSpan.ToArray().Select(t => $"{t.Key}={t.Value}"));
            }
        });
        listener.Start();

        var metrics = new PortMetrics(port);
        metrics.Read(10); // warm up: first calls may allocate once (JIT, caches)
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            metrics.Read(100);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(10 + (10_000 * 100), bytes);
        Assert.Equal($"port={port}", tags);
        Assert.True(allocated < 1024, $"{allocated} bytes allocated for 10,000 recordings");
        metrics.SessionOpened(ListenerProtocol.Raw);
        metrics.SessionClosed(ListenerProtocol.Raw, TimeSpan.FromSeconds(1));
    }
}
