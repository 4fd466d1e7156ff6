using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using Concentrator.Testing;

namespace Concentrator.Bench;

/// <summary>
/// <c>--only-automation</c> (issue 24): our daemon alone. Expect's round trip (POST /api/ports/NAME/expect with a send,
/// against sim:echo, which answers at once: HTTP, the port's check, the data plane, the device, the capture, the match);
/// and the daemon's CPU while pty devices print at a steady total rate, with and without triggers on every port (the
/// triggers match nothing but a rare line, so this is the cost of watching).
/// </summary>
internal static class AutomationBench
{
    private static readonly string[] Rules =
    [
        "panic { match = \"Kernel panic\", clear = \"login:\" }",
        "oops { match = \"Oops: [0-9a-f]+\" }",
        "bug { match = \"BUG: \\\\w+\" }",
        "trace { match = \"Call Trace\" }",
        "oom { match = \"Out of memory: Killed process \\\\d+\" }",
        "segv { match = \"segfault at [0-9a-f]+\" }",
        "io { match = \"I/O error, dev \\\\w+\" }",
        "wd { match = \"watchdog: BUG: soft lockup\" }",
        "err { match = \"error (\\\\d\\\\d)\", at-most = \"1/1s\" }",
        "fs { match = \"EXT4-fs error\" }",
    ];

    public static int Run(BenchOptions o, string daemon)
    {
        Console.WriteLine($"automation bench ({o.ModeName}), {Environment.ProcessorCount} cores; measured on a shared machine, under whatever else runs");
        ExpectRoundTrip(o, daemon);
        var ports = o.Full ? 64 : 16;
        var bytesPerSecond = 1 << 20;
        var window = TimeSpan.FromSeconds(o.Full ? 20 : 6);
        var warmUp = TimeSpan.FromSeconds(o.Full ? 10 : 6);
        var without = PrintingCpu(daemon, ports, bytesPerSecond, window, warmUp, rules: false);
        var with = PrintingCpu(daemon, ports, bytesPerSecond, window, warmUp, rules: true);
        Console.WriteLine($"  CPU, {ports} ports printing {bytesPerSecond >> 10} KiB/s in total for {window.TotalSeconds:0} s: " +
            $"no triggers {without:0.0}% of a core, {Rules.Length} triggers per port {with:0.0}% ({(without > 0 ? with / without : double.NaN):0.00}x)");
        return 0;
    }

    private static void ExpectRoundTrip(BenchOptions o, string daemon)
    {
        var api = FreeTcpPort.Next();
        var config = Path.Combine(Path.GetTempPath(), $"bench-expect-{Guid.NewGuid():N}.conf");
        File.WriteAllText(config, $$"""
            concentrator {
              ports { echo { device = "sim:echo", listeners = [ { port = {{FreeTcpPort.Next()}}, bind = "127.0.0.1", protocol = raw } ] } }
              api { port = {{api}}, allow-anonymous-actions = on }
            }
            """);
        using var process = ManagedProcess.Start("dotnet", [daemon, "serve", "--config", config]);
        try
        {
            process.WaitUntil(output => output.Contains("port echo: online", StringComparison.Ordinal), TimeSpan.FromSeconds(90), "port echo online");
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{api}") };
            var rounds = o.Full ? 5000 : 1000;
            var samples = new List<double>(rounds);
            for (var i = -100; i < rounds; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = http.PostAsJsonAsync("/api/ports/echo/expect",
                    new { send = $"ping {i}\r", pattern = $"ping {i}\\r", timeout = "10s" }).GetAwaiter().GetResult();
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"expect round {i}: HTTP {(int)response.StatusCode}");
                }

                response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
                if (i >= 0)
                {
                    samples.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                }
            }

            var stats = LatencyStats.From(samples);
            Console.WriteLine($"  expect round trip (send + match, sim:echo, one client, {stats.Samples} rounds): " +
                $"p50 {stats.P50Us / 1000:0.00} ms, p99 {stats.P99Us / 1000:0.00} ms, max {stats.MaxUs / 1000:0.00} ms");
        }
        finally
        {
            process.Dispose();
            File.Delete(config);
        }
    }

    /// <summary>The daemon's CPU (% of one core) while every port's pty prints its share of the rate in 10 ms ticks.</summary>
    private static double PrintingCpu(string daemon, int ports, int bytesPerSecond, TimeSpan window, TimeSpan warmUp, bool rules)
    {
        var extra = rules ? $"      triggers {{\n{string.Join("\n", Rules)}\n}}\n" : ""; // one rule a line: Akka's HOCON needs a separator between objects
        using var server = Servers.StartConcentrator(daemon, ports, "raw", 4, portKeys: extra);
        var line = Encoding.ASCII.GetBytes("[  123.456789] usb 1-1.4: new high-speed USB device number 5 using dwc_otg, all fine here\r\n");
        var rare = Encoding.ASCII.GetBytes("[  123.456790] mmc0: error 42 whilst initialising SD card\r\n");
        var perTick = bytesPerSecond / 100 / ports;
        using var stop = new CancellationTokenSource();
        var writers = server.Devices.Select((device, index) => Task.Run(() =>
        {
            var tick = Stopwatch.GetTimestamp();
            var sent = 0L;
            while (!stop.IsCancellationRequested)
            {
                for (var written = 0; written < perTick; written += line.Length)
                {
                    device.Write(++sent % 1000 == 0 ? rare : line);
                }

                tick += Stopwatch.Frequency / 100;
                var wait = tick - Stopwatch.GetTimestamp();
                if (wait > 0)
                {
                    Thread.Sleep(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency)); // pacing the printer, not measuring
                }
            }
        })).ToArray();
        Thread.Sleep(warmUp); // warm-up: startup and tiered JIT (the regex engine's code is large), first matches
        var cpu0 = ProcFs.CpuTicks(server.MainPid);
        var t0 = Stopwatch.GetTimestamp();
        Thread.Sleep(window);
        var cpu = (ProcFs.CpuTicks(server.MainPid) - cpu0) / ProcFs.TicksPerSecond;
        var elapsed = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        stop.Cancel();
        Task.WaitAll(writers);
        if (rules && !server.Log.Contains("trigger err raised", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("the triggers never fired: the bench did not measure them working");
        }

        return 100 * cpu / elapsed;
    }
}
