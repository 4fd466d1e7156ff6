using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Management;

/// <summary>GET /metrics in Prometheus text format, its values checked against the traffic the test sent.</summary>
public sealed partial class MetricsTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Metrics_count_the_bytes_and_sessions_the_test_made()
    {
        var device = Track(VirtualSerialDevice.CreateTemp("metrics"));
        int tcp = FreeTcpPort.Next(), limited = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports {
              m { device = "{{device.LinkPath}}", listeners = [ { port = {{tcp}}, protocol = raw } ] }
              full { device = "sim:echo", max-sessions = 1, listeners = [ { port = {{limited}}, protocol = telnet } ] }
            }
            """));
        daemon.WaitOnline("m", "full");
        var api = Track(new ApiHttp(daemon.ApiUrl));
        var client = Track(TcpClientSession.Connect(tcp));
        daemon.WaitFor("session 1 on port m: .* connected");

        var printed = new byte[12_345];
        new Random(5).NextBytes(printed);
        device.Write(printed);
        Assert.Equal(printed, client.ReadExactly(printed.Length, Timeout));
        var typed = new byte[321];
        new Random(6).NextBytes(typed);
        client.Send(typed);
        Assert.Equal(typed, device.ReadExactly(typed.Length, Timeout));

        var first = Track(TcpClientSession.Connect(limited));
        daemon.WaitFor("session 1 on port full: .* connected");
        var refused = Track(TcpClientSession.Connect(limited));
        Assert.True(refused.WaitClosed(Timeout));

        var samples = new Dictionary<string, double>();
        Eventually.True(() =>
        {
            samples = Scrape(api);
            return Value(samples, "concentrator_device_read_bytes_total", "m") == printed.Length
                && Value(samples, "concentrator_device_written_bytes_total", "m") == typed.Length
                && Value(samples, "concentrator_sessions_refused_total", "full", "reason=\"max-sessions\"") == 1;
        }, Timeout, () => string.Join("\n", samples.Select(s => $"{s.Key} {s.Value}")));

        Assert.Equal(1, Value(samples, "concentrator_port_online", "m"));
        Assert.Equal(1, Value(samples, "concentrator_sessions_active", "m", "transport=\"raw\""));
        Assert.Equal(1, Value(samples, "concentrator_sessions_opened_total", "m", "transport=\"raw\""));
        Assert.Equal(1, Value(samples, "concentrator_sessions_active", "full", "transport=\"telnet\""));
        Assert.Equal(0, Value(samples, "concentrator_device_reopens_total", "m") ?? 0);
        Assert.DoesNotContain(samples.Keys, k => k.Contains("127.0.0.1", StringComparison.Ordinal) || k.Contains("session=", StringComparison.Ordinal));

        // A session that ends is counted in the duration histogram and leaves the active gauge.
        client.Dispose();
        Eventually.True(() =>
        {
            samples = Scrape(api);
            return Value(samples, "concentrator_sessions_active", "m", "transport=\"raw\"") == 0
                && Value(samples, "concentrator_session_duration_seconds_count", "m", "transport=\"raw\"") == 1;
        }, Timeout, () => string.Join("\n", samples.Select(s => $"{s.Key} {s.Value}")));
        GC.KeepAlive(first);
        await Task.CompletedTask;
    }

    /// <summary>Every sample line "name{labels} value" of the text format, keyed by "name{labels}".</summary>
    private static Dictionary<string, double> Scrape(ApiHttp api)
    {
        var reply = api.GetAsync("/metrics").Result;
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.StartsWith("text/plain", reply.ContentType ?? "", StringComparison.Ordinal);
        return reply.Text.Split('\n').Select(l => SampleRegex().Match(l)).Where(m => m.Success)
            .ToDictionary(m => m.Groups["key"].Value, m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
    }

    private static double? Value(Dictionary<string, double> samples, string name, string port, string? label = null)
    {
        var matches = samples.Where(s => s.Key.StartsWith(name + "{", StringComparison.Ordinal)
            && s.Key.Contains($"port=\"{port}\"", StringComparison.Ordinal)
            && (label is null || s.Key.Contains(label, StringComparison.Ordinal))).ToList();
        return matches.Count == 0 ? null : matches.Sum(m => m.Value);
    }

    [GeneratedRegex(@"^(?<key>concentrator_\w+\{[^}]*\}) (?<value>[-+0-9.eE]+|NaN)", RegexOptions.None)]
    private static partial Regex SampleRegex();
}
