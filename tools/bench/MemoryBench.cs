using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Concentrator.Bench;

/// <summary>One server's idle footprint with N ports, one connected idle client each.</summary>
internal sealed record MemoryResult(string Server, int Ports, double RssMiB, double RssAnonMiB, double RssFileMiB, int Threads,
    double CpuPercentOfOneCore, string? Error);

/// <summary>
/// <c>--memory-only</c>: idle memory at 1, 64 and 256 ports with one idle client each (so both servers hold every device
/// open), ours and ser2net in turn in the same run, three rounds by default; the figures are medians. RSS is read while the
/// clients are still connected, after the same settle time the many-ports rows use.
/// </summary>
internal static class MemoryBench
{
    public static int Run(BenchOptions o, IReadOnlyList<ServerSpec> specs)
    {
        if (o.DaemonEnvironment is { Count: > 0 } env)
        {
            Console.WriteLine("our daemon's extra environment: " + string.Join(" ", env.Select(kv => $"{kv.Key}={kv.Value}")));
        }

        var portCounts = o.MemoryPorts ?? [1, 64, 256];
        var rounds = o.MemoryRounds;
        var results = new List<MemoryResult>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var ports in portCounts)
            {
                foreach (var spec in specs)
                {
                    var r = Measure(spec, ports, TimeSpan.FromSeconds(3));
                    results.Add(r);
                    Console.WriteLine($"- round {round + 1}, {spec.Key}, {ports} port(s): RSS {r.RssMiB:0.0} MiB (anon {r.RssAnonMiB:0.0}, file {r.RssFileMiB:0.0}), " +
                        $"{r.Threads} threads, CPU {r.CpuPercentOfOneCore:0.00} %{(r.Error is null ? "" : $" [{r.Error}]")}");
                }
            }
        }

        var table = new StringBuilder();
        table.AppendLine($"| ports (1 idle client each) | {string.Join(" | ", specs.Select(s => $"{s.Key} RSS (MiB)"))} | ours / {specs.Last().Key} | " +
                         $"{string.Join(" | ", specs.Select(s => $"{s.Key} threads"))} | ours anon / file (MiB) |");
        table.AppendLine("|---:|" + string.Concat(Enumerable.Repeat("---:|", (specs.Count * 2) + 2)));
        foreach (var ports in portCounts)
        {
            MemoryResult Median(string key)
            {
                var ok = results.Where(r => r.Server == key && r.Ports == ports && r.Error is null).OrderBy(r => r.RssMiB).ToList();
                return ok.Count == 0 ? new MemoryResult(key, ports, double.NaN, double.NaN, double.NaN, 0, double.NaN, "failed") : ok[ok.Count / 2];
            }

            var medians = specs.Select(s => Median(s.Key)).ToList();
            var ours = medians[0];
            var theirs = medians[^1];
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {ports} | {string.Join(" | ", medians.Select(m => m.RssMiB.ToString("0.0", CultureInfo.InvariantCulture)))} | " +
                $"{(ours.RssMiB / theirs.RssMiB).ToString("0.00", CultureInfo.InvariantCulture)}× | {string.Join(" | ", medians.Select(m => m.Threads))} | " +
                $"{ours.RssAnonMiB:0.0} / {ours.RssFileMiB:0.0} |");
        }

        Console.WriteLine();
        Console.WriteLine($"Median of {rounds} rounds:");
        Console.WriteLine(table);
        if (o.JsonPath is not null)
        {
            File.WriteAllText(o.JsonPath, JsonSerializer.Serialize(new { environment = o.DaemonEnvironment, results },
                new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
            Console.WriteLine($"wrote {o.JsonPath}");
        }

        return results.Any(r => r.Error is not null) ? 3 : 0;
    }

    private static MemoryResult Measure(ServerSpec spec, int ports, TimeSpan window)
    {
        try
        {
            using var server = spec.Start(ports);
            var conns = new List<BenchConn>();
            try
            {
                for (var i = 0; i < server.TcpPorts.Count; i++)
                {
                    var c = BenchConn.Connect(server.TcpPorts[i]);
                    conns.Add(c);
                    Bench.Measure.Sync(server.Devices[i], [c], bothWays: false);
                }

                Thread.Sleep(TimeSpan.FromSeconds(2));
                var cpu0 = ProcFs.CpuTicks(server.MainPid);
                var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                Thread.Sleep(window);
                var cpu1 = ProcFs.CpuTicks(server.MainPid);
                var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;
                var status = ProcFs.Status(server.MainPid);
                double Mib(string field) => status.TryGetValue(field, out var v) ? v / 1024.0 : double.NaN;
                return new MemoryResult(spec.Key, ports, Mib("VmRSS"), Mib("RssAnon"), Mib("RssFile") + Mib("RssShmem"),
                    (int)status.GetValueOrDefault("Threads"), (cpu1 - cpu0) / ProcFs.TicksPerSecond / seconds * 100.0, null);
            }
            finally
            {
                foreach (var c in conns)
                {
                    c.Dispose();
                }
            }
        }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            return new MemoryResult(spec.Key, ports, double.NaN, double.NaN, double.NaN, 0, double.NaN, e.Message.Split('\n')[0]);
        }
    }
}
