using System.Globalization;
using System.Text;
using Concentrator.Testing;

namespace Concentrator.Bench;

/// <summary>
/// <c>--only-recording</c>: one port's throughput and server CPU per MB both ways with <c>recording = off</c> and with
/// <c>recording = all</c> (every byte each way into an asciicast file), ser2net in the same run for scale. The bench's
/// data is random bytes, so most of it is not UTF-8 and becomes U+FFFD escapes: the recording's worst case, not a
/// console's text. Rounds take turns (off, on, ser2net) and each figure is the median of its rounds.
/// </summary>
internal static class RecordingBench
{
    public static int Run(BenchOptions o, string daemon, string? ser2net)
    {
        var rounds = o.Full ? 3 : 1;
        using var dir = new TempDirectory("bench-recordings");
        var modes = new List<(string Key, string Title, Func<ServerInstance> Start)>
        {
            ("off", "concentrator, recording = off", () => Servers.StartConcentrator(daemon, 1, "raw", 250)),
            ("all", "concentrator, recording = all", () => Servers.StartConcentrator(daemon, 1, "raw", 250,
                portKeys: "      recording = all\n", sections: $"  recordings {{ dir = \"{dir.FullName}\" }}\n")),
        };
        if (ser2net is not null)
        {
            modes.Add(("ser2net", "ser2net", () => Servers.StartSer2net(ser2net, 1, chardelay: true, 250)));
        }

        var results = modes.ToDictionary(m => m.Key, _ => new List<(ThroughputResult D2c, ThroughputResult C2d)>());
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (key, title, start) in modes)
            {
                Console.WriteLine($"== {title}: single port throughput both ways, round {round + 1}/{rounds}");
                using var server = start();
                using var client = BenchConn.Connect(server.TcpPorts[0], telnet: false);
                var device = server.Devices[0];
                Measure.Sync(device, [client], bothWays: true);
                var d2c = Measure.Throughput(device, client, true, o.ThroughputBytes, server.MainPid);
                var c2d = Measure.Throughput(device, client, false, o.ThroughputBytes, server.MainPid);
                Console.WriteLine($"  d->c {d2c.MBps:0.0} MB/s {d2c.ServerCpuMsPerMB:0.0} ms/MB{(d2c.Verified ? "" : " FAILED " + d2c.Error)}; " +
                    $"c->d {c2d.MBps:0.0} MB/s {c2d.ServerCpuMsPerMB:0.0} ms/MB{(c2d.Verified ? "" : " FAILED " + c2d.Error)}");
                results[key].Add((d2c, c2d));
            }
        }

        var recorded = Directory.GetFiles(dir.FullName, "*.cast").Sum(f => new FileInfo(f).Length);
        double Median(string key, Func<(ThroughputResult D2c, ThroughputResult C2d), double> pick)
        {
            var values = results[key].Select(pick).Order().ToList();
            return values.Count == 0 ? double.NaN : values[values.Count / 2];
        }

        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"| metric ({o.ThroughputBytes >> 20} MiB each way, verified, median of {rounds}) | unit | recording = off | recording = all | all ÷ off | ser2net |");
        table.AppendLine("|---|---|---:|---:|---:|---:|");
        foreach (var (label, unit, pick) in new (string, string, Func<(ThroughputResult D2c, ThroughputResult C2d), double>)[]
        {
            ("throughput device→client", "MB/s", r => r.D2c.MBps), ("throughput client→device", "MB/s", r => r.C2d.MBps),
            ("server CPU per MB, device→client", "ms/MB", r => r.D2c.ServerCpuMsPerMB), ("server CPU per MB, client→device", "ms/MB", r => r.C2d.ServerCpuMsPerMB),
        })
        {
            var off = Median("off", pick);
            var all = Median("all", pick);
            var reference = modes.Any(m => m.Key == "ser2net") ? Median("ser2net", pick).ToString("0.0", CultureInfo.InvariantCulture) : "not run";
            table.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {unit} | {off:0.0} | {all:0.0} | {all / off:0.00}× | {reference} |");
        }

        Console.WriteLine();
        Console.WriteLine(table);
        Console.WriteLine($"recorded: {recorded / (1024.0 * 1024.0):0.0} MiB of .cast for {2 * rounds * (o.ThroughputBytes >> 20)} MiB moved");
        var failed = results.Values.SelectMany(r => r).Count(r => !r.D2c.Verified || !r.C2d.Verified);
        return failed == 0 ? 0 : 3;
    }
}
