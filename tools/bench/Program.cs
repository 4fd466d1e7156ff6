using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Concentrator.Testing;

namespace Concentrator.Bench;

internal sealed record BenchOptions(bool Full, string? JsonPath, string? DaemonDll, bool Leases = false, bool WebOnly = false,
    bool ApiPollOnly = false, bool TlsOnly = false, bool MemoryOnly = false, IReadOnlyDictionary<string, string>? DaemonEnvironment = null,
    int[]? MemoryPorts = null, int MemoryRounds = 3, bool Cluster = false, bool SinglePortOnly = false, bool UpstreamOnly = false, bool RecordingOnly = false)
{
    /// <summary>--only-automation: expect's round trip and the CPU of triggers (see AutomationBench).</summary>
    public bool AutomationOnly { get; init; }

    /// <summary>The machine's write rate in the main fan-out rows: above a 12 Mbaud FTDI/CP210x (~1.2 MB/s).</summary>
    public const double FanOutPace = 3e6;

    // Quick mode (~95 s on 2 vCPUs) keeps every row of the full run but with fewer samples, smaller transfers,
    // 16 ports instead of 64/256 and a 5 s CPU window (10 ms tick resolution: 0.2 % of one core).
    public int LatencySamples => Full ? 2000 : 250;
    public int LatencyWarmup => 50;
    public TimeSpan LatencyGap => TimeSpan.FromMilliseconds(2);

    /// <summary>Back-to-back latency: each byte is sent as soon as the previous one arrived (no gap).</summary>
    public TimeSpan BackToBackGap => TimeSpan.Zero;
    public long ThroughputBytes => (Full ? 64L : 8L) << 20;
    public int[] FanOutClients => Full ? [1, 10, 100] : [1, 10];
    public long FanOutBytes => (Full ? 16L : 3L) << 20;
    public int StressClients => 10;
    public long StressBytes => (Full ? 32L : 4L) << 20;
    public (int Ports, int BytesPerSecond)[] PortScenarios => Full ? [(64, 0), (256, 0), (64, 1024), (256, 1024)] : [(16, 0), (16, 1024)];
    public TimeSpan IdleWindow => TimeSpan.FromSeconds(Full ? 10 : 5);
    public int PyserialOpens => Full ? 10 : 3;
    public string ModeName => Full ? "full" : "quick";

    public static BenchOptions? Parse(string[] args)
    {
        var full = false;
        var webOnly = false;
        string? json = null;
        string? daemon = null;
        var leases = false;
        var apiPollOnly = false;
        var tlsOnly = false;
        var memoryOnly = false;
        int[]? memoryPorts = null;
        var memoryRounds = 3;
        var daemonEnv = new Dictionary<string, string>();
        var cluster = false;
        var singlePortOnly = false;
        var upstream = false;
        var automationOnly = false;
        var recordingOnly = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    full = false;
                    break;
                case "--full":
                    full = true;
                    break;
                case "--leases":
                    leases = true;
                    break;
                case "--cluster":
                    cluster = true;
                    break;
                case "--web-only":
                    webOnly = true;
                    break;
                case "--json" when i + 1 < args.Length:
                    json = args[++i];
                    break;
                case "--tls-only":
                    tlsOnly = true;
                    break;
                case "--daemon" when i + 1 < args.Length:
                    daemon = Path.GetFullPath(args[++i]);
                    break;
                case "--only-api-poll":
                    apiPollOnly = true;
                    break;
                case "--memory-only":
                    memoryOnly = true;
                    break;
                case "--memory-ports" when i + 1 < args.Length:
                    memoryPorts = args[++i].Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
                    break;
                case "--memory-rounds" when i + 1 < args.Length:
                    memoryRounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--daemon-env" when i + 1 < args.Length && args[i + 1].Contains('=', StringComparison.Ordinal):
                    var pair = args[++i];
                    daemonEnv[pair[..pair.IndexOf('=', StringComparison.Ordinal)]] = pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..];
                    break;
                case "--upstream":
                    upstream = true;
                    break;
                case "--only-single-port":
                    singlePortOnly = true;
                    break;
                case "--only-automation":
                    automationOnly = true;
                    break;
                case "--only-recording":
                    recordingOnly = true;
                    break;
                case "-h" or "--help":
                    return null;
                default:
                    throw new ArgumentException($"unexpected argument '{args[i]}'");
            }
        }

        return new BenchOptions(full, json, daemon, leases, webOnly, apiPollOnly, tlsOnly, memoryOnly, daemonEnv, memoryPorts, memoryRounds, cluster,
            singlePortOnly, upstream, recordingOnly) { AutomationOnly = automationOnly };
    }
}

internal static class Program
{
    private const string Usage =
        "usage: dotnet run --project tools/bench -c Release -- [--quick|--full] [--json out.json] [--daemon path/to/concentrator.dll] [--leases] [--cluster] [--web-only] [--only-api-poll] [--tls-only] [--only-single-port] [--upstream] [--only-automation] [--only-recording] [--memory-only [--memory-ports 1,64,256] [--memory-rounds 3]] [--daemon-env NAME=VALUE]...\n" +
        "  Runs concentrator, ser2net and a socat floor side by side on pty-backed virtual devices (loopback only).\n" +
        "  --leases: the lease service alone instead: grant latency and grants per second on an SQLite file.\n" +
        "  --cluster: three daemons forming a cluster on loopback: lease latency through the owner, another node and the tag\n" +
        "    singleton; kill -9 to inventory drop; restart to rejoin; double grants in the owners' audit trails.\n" +
        "  --web-only: only the browser terminal's rows (a WebSocket session beside a TCP one on a dashboard host).\n" +
        "  --only-api-poll: only the rows measured while a client polls the management API.\n" +
        "  --tls-only: only the TLS-beside-plain rows.\n" +
        "  --upstream: only the upstream rows: our port whose device is rfc2217:// on ser2net (a raw client of ours) beside a\n" +
        "    telnet client of an identical ser2net directly: what the hop through us costs.\n" +
        "  --only-single-port: only the single-port latency (gapped and back-to-back) and throughput rows, raw TCP and RFC 2217.\n" +
        "  --only-automation: only issue 24's rows: expect's round trip, and CPU with triggers on every port vs none.\n" +
        "  --only-recording: one port's throughput and CPU per MB both ways with recording = off and = all (ser2net beside).\n" +
        "  --memory-only: only idle memory: 1, 64 and 256 ports with one idle client each, ours and ser2net in turn (RSS, threads, CPU).\n" +
        "  --daemon-env NAME=VALUE: set in our daemon's environment (e.g. DOTNET_GCgen0size=0x200000), to measure runtime knobs.";

    public static int Main(string[] args)
    {
        if (args is [WebTerminal.HostFlag, var config, var httpPort])
        {
            return WebTerminal.RunHost(config, int.Parse(httpPort, CultureInfo.InvariantCulture)); // the child serving the browser-terminal rows
        }

        BenchOptions? options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"bench: {e.Message}\n{Usage}");
            return 2;
        }

        if (options is null)
        {
            Console.WriteLine(Usage);
            return 0;
        }

        if (options.Leases)
        {
            return LeaseBench.Run(options);
        }

        using var signals = ProcessRegistry.InstallSignalHandlers();
        try
        {
            if (options.Cluster)
            {
                return ClusterBench.Run(options);
            }

            return Run(options);
        }
        finally
        {
            ProcessRegistry.KillAll();
        }
    }

    private static int Run(BenchOptions o)
    {
        if (o.WebOnly)
        {
            var webReport = new Report();
            WebTerminalRows(o, webReport);
            Console.WriteLine();
            Console.WriteLine(webReport.Markdown(o, ["concentrator"], onlyPrefix: "web"));
            return webReport.Failures == 0 ? 0 : 3;
        }

        var started = Stopwatch.GetTimestamp();
        var root = FindRepoRoot();
        var ser2net = FindTool("ser2net", "ser2net");
        var socat = FindTool("socat", "socat");
        var daemon = o.DaemonDll ?? EnsureDaemon(root);
        if (daemon is null)
        {
            return 1;
        }

        if (o.AutomationOnly)
        {
            return AutomationBench.Run(o, daemon);
        }

        var machine = Machine.Describe(ser2net, socat);
        Console.WriteLine($"bench ({o.ModeName}): {machine.Summary}");

        var specs = new List<ServerSpec>
        {
            new("concentrator", "concentrator (raw)", true, n => Servers.StartConcentrator(daemon, n, "raw", 250, o.DaemonEnvironment)),
        };
        var rfcSpecs = new List<ServerSpec>
        {
            new("concentrator", "concentrator (rfc2217)", true, n => Servers.StartConcentrator(daemon, n, "rfc2217", 250)),
        };
        if (ser2net is not null)
        {
            specs.Add(new("ser2net", "ser2net", true, n => Servers.StartSer2net(ser2net, n, chardelay: true, 250)));
            specs.Add(new("ser2net-nodelay", "ser2net chardelay=false", true, n => Servers.StartSer2net(ser2net, n, chardelay: false, 250)));
            rfcSpecs.Add(new("ser2net", "ser2net telnet(rfc2217)", true, n => Servers.StartSer2net(ser2net, n, chardelay: true, 250, rfc2217: true)));
            rfcSpecs.Add(new("ser2net-nodelay", "ser2net telnet(rfc2217) chardelay=false", true,
                n => Servers.StartSer2net(ser2net, n, chardelay: false, 250, rfc2217: true)));
        }

        if (socat is not null)
        {
            specs.Add(new("socat", "socat floor", false, n => Servers.StartSocat(socat, n)));
        }

        if (o.RecordingOnly)
        {
            return RecordingBench.Run(o, daemon, ser2net);
        }

        if (o.MemoryOnly)
        {
            return MemoryBench.Run(o, specs.Where(s => s.Key is "concentrator" or "ser2net").ToList());
        }

        var report = new Report();
        if (o.ApiPollOnly)
        {
            ApiUnderLoad(o, report, specs[0]); // just the management-API row (its ratios need no other step)
            return report.Failures == 0 ? 0 : 3;
        }

        if (o.UpstreamOnly)
        {
            return UpstreamBench.Run(o, report, daemon, ser2net);
        }

        if (o.SinglePortOnly)
        {
            foreach (var (prefix, telnet, list) in new[] { ("", false, specs), ("rfc-", true, rfcSpecs) })
            {
                foreach (var spec in list)
                {
                    SinglePort(o, report, spec, prefix, telnet);
                }
            }

            Console.WriteLine();
            Console.WriteLine(report.Markdown(o, specs.Select(s => s.Key).ToHashSet(), onlyKeys: [.. SinglePortKeys, .. SinglePortKeys.Select(k => "rfc-" + k)]));
            return report.Failures == 0 ? 0 : 3;
        }

        if (o.TlsOnly)
        {
            specs.Clear(); // only the TLS-beside-plain rows below
            rfcSpecs.Clear();
        }

        // 1 + 2: single port, one client: latency both ways, then throughput both ways (same connection); raw
        // listeners, then RFC 2217 listeners with the telnet-aware client.
        foreach (var (prefix, telnet, list) in new[] { ("", false, specs), ("rfc-", true, rfcSpecs) })
        {
            foreach (var spec in list)
            {
                SinglePort(o, report, spec, prefix, telnet);
            }
        }

        // 1b: TLS beside plain on the same port settings, through the same Stream-based client (ratios: goal TLS >= 0.5x
        // plain throughput, < 2x plain latency).
        Step("concentrator: raw TLS listener beside a plain one on the same port", () =>
        {
            using var dir = new TempDirectory("bench-tls");
            using var server = Servers.StartConcentratorPlainAndTls(daemon, dir.FullName);
            // A warm-up round of each first, so neither side pays for the daemon's JIT and the other does not; then
            // three rounds, plain and TLS taking turns, each figure the median of its three (a shared machine is noisy).
            _ = TlsMeasurements.Run(server.Devices[0], server.TcpPorts[0], tls: false, 50, 2 << 20);
            _ = TlsMeasurements.Run(server.Devices[0], server.TcpPorts[1], tls: true, 50, 2 << 20);
            var rounds = Enumerable.Range(0, 3).Select(_ => (
                Plain: TlsMeasurements.Run(server.Devices[0], server.TcpPorts[0], tls: false, o.LatencySamples, o.ThroughputBytes),
                Tls: TlsMeasurements.Run(server.Devices[0], server.TcpPorts[1], tls: true, o.LatencySamples, o.ThroughputBytes))).ToList();
            var plain = TlsMeasurements.Median(rounds.Select(r => r.Plain).ToList());
            var tls = TlsMeasurements.Median(rounds.Select(r => r.Tls).ToList());
            foreach (var (key, p, t) in new[]
            {
                ("d2c-p50", plain.D2cP50Us, tls.D2cP50Us), ("d2c-p99", plain.D2cP99Us, tls.D2cP99Us),
                ("c2d-p50", plain.C2dP50Us, tls.C2dP50Us), ("c2d-p99", plain.C2dP99Us, tls.C2dP99Us),
                ("tp-d2c", plain.D2cMBps, tls.D2cMBps), ("tp-c2d", plain.C2dMBps, tls.C2dMBps),
            })
            {
                report.Set($"tls-{key}-plain", "concentrator", p);
                report.Set($"tls-{key}-tls", "concentrator", t);
                report.Set($"tls-{key}-ratio", "concentrator", t / p);
            }

            report.Raw["concentrator/tls-vs-plain"] = new { plain, tls };
            Console.WriteLine($"  plain: latency d->c p50 {plain.D2cP50Us:0} us, c->d p50 {plain.C2dP50Us:0} us, throughput d->c {plain.D2cMBps:0.0} MB/s, c->d {plain.C2dMBps:0.0} MB/s");
            Console.WriteLine($"  tls:   latency d->c p50 {tls.D2cP50Us:0} us, c->d p50 {tls.C2dP50Us:0} us, throughput d->c {tls.D2cMBps:0.0} MB/s, c->d {tls.C2dMBps:0.0} MB/s");
        }, e => report.Fail("tls-tp-d2c-ratio", "concentrator", e));

        if (!o.TlsOnly)
        {
            // 6: the browser terminal's WebSocket beside a TCP session.
            WebTerminalRows(o, report);
            // 1b: the same single-port latency and throughput while a management client polls GET /api/ports 50 times a second.
            ApiUnderLoad(o, report, specs[0]);
        }

        // 5: pyserial rfc2217:// open time.
        foreach (var spec in rfcSpecs.Where(s => s.Key != "ser2net-nodelay"))
        {
            Step($"{spec.Title}: pyserial serial_for_url(rfc2217://...) x {o.PyserialOpens}", () =>
            {
                using var server = spec.Start(1);
                var r = Pyserial.OpenTimes(server.TcpPorts[0], o.PyserialOpens);
                report.Raw[$"{spec.Key}/pyserial-open"] = r;
                if (r.Error is null)
                {
                    report.Set("pyserial-open", spec.Key, r.MedianMs);
                    Console.WriteLine($"  open median {r.MedianMs:0.0} ms, max {r.MaxMs:0.0} ms over {r.Opens} opens");
                }
                else
                {
                    report.Fail("pyserial-open", spec.Key, r.Error);
                    Console.WriteLine($"  FAILED: {r.Error}");
                }
            }, e => report.Fail("pyserial-open", spec.Key, e));
        }

        // 3: fan-out from one port (socat cannot share a device between clients), paced, then the unpaced stress run.
        var fanSpecs = specs.Where(s => s.MultiClient && s.Key != "ser2net-nodelay").ToList();
        foreach (var spec in fanSpecs)
        {
            foreach (var withStalled in new[] { false, true })
            {
                foreach (var k in o.FanOutClients)
                {
                    FanOut(o, report, spec, $"fan-{k}{(withStalled ? "+stalled" : "")}", k, withStalled, o.FanOutBytes, BenchOptions.FanOutPace);
                }
            }

            FanOut(o, report, spec, "stress", o.StressClients, false, o.StressBytes, null);
        }

        foreach (var k in o.FanOutClients)
        {
            foreach (var server in new[] { "concentrator", "ser2net" })
            {
                if (report.TryGet($"fan-{k}-rate", server, out var alone) && alone > 0)
                {
                    report.Set($"fan-{k}+stalled-rel", server, report.TryGet($"fan-{k}+stalled-rate", server, out var with) ? with / alone : 0);
                }
            }
        }

        // 4: many ports, idle and with a little traffic each.
        foreach (var (ports, rate) in o.PortScenarios)
        {
            foreach (var spec in specs.Where(s => s.Key is "concentrator" or "ser2net"))
            {
                var key = $"ports-{ports}-{rate}";
                Step($"{spec.Title}: {ports} ports, {(rate == 0 ? "idle" : $"{rate} B/s each")}, {o.IdleWindow.TotalSeconds:0} s", () =>
                {
                    using var server = spec.Start(ports);
                    var r = Measure.Idle(server, o.IdleWindow, rate);
                    report.Raw[$"{spec.Key}/{key}"] = r;
                    report.Set($"{key}-cpu", spec.Key, r.CpuPercentOfOneCore);
                    report.Set($"{key}-rss", spec.Key, r.RssMiB);
                    if (rate > 0)
                    {
                        if (r.Error is null)
                        {
                            report.Set($"{key}-rx", spec.Key, r.DeliveredBytesPerSecond / 1024.0);
                        }
                        else
                        {
                            report.Fail($"{key}-rx", spec.Key, r.Error);
                        }
                    }

                    Console.WriteLine($"  CPU {r.CpuPercentOfOneCore:0.00} % of one core, RSS {r.RssMiB:0.0} MiB" +
                        (rate > 0 ? $", clients received {r.DeliveredBytesPerSecond / 1024.0:0.0} KiB/s in total" : "") + (r.Error is null ? "" : $" [{r.Error}]"));
                }, e => report.Fail($"{key}-cpu", spec.Key, e));
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var table = report.Markdown(o, specs.Select(s => s.Key).ToHashSet());
        Console.WriteLine();
        Console.WriteLine($"Machine: {machine.Summary}");
        Console.WriteLine($"Mode: {o.ModeName}, wall time {elapsed.TotalSeconds:0} s");
        Console.WriteLine();
        Console.WriteLine(table);
        if (o.JsonPath is not null)
        {
            var json = JsonSerializer.Serialize(new
            {
                mode = o.ModeName,
                wallSeconds = elapsed.TotalSeconds,
                machine,
                rows = report.Rows(o),
                raw = report.Raw,
            }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });
            File.WriteAllText(o.JsonPath, json);
            Console.WriteLine($"wrote {o.JsonPath}");
        }

        return report.Failures == 0 ? 0 : 3;
    }

    internal static readonly string[] SinglePortKeys =
        ["lat-d2c-p50", "lat-d2c-p99", "lat-c2d-p50", "lat-c2d-p99", "b2b-d2c-p50", "b2b-d2c-p99", "b2b-c2d-p50", "b2b-c2d-p99", "tp-d2c", "tp-c2d", "cpu-d2c", "cpu-c2d"];

    internal static void SinglePort(BenchOptions o, Report report, ServerSpec spec, string prefix, bool telnet)
    {
        Step($"{spec.Title}: single port latency + throughput", () =>
        {
            using var server = spec.Start(1);
            var client = BenchConn.Connect(server.TcpPorts[0], telnet);
            using var closeLast = new Disposer(() => client.Dispose());
            var dev = server.Devices[0];
            Measure.Sync(dev, [client], bothWays: true);
            // Gapped (2 ms between bytes: idle wake-ups included) and back-to-back (the path alone), both directions.
            void LatencyRows(string row, string raw, string label, TimeSpan gap)
            {
                var d2c = Measure.Latency(dev, client, true, o.LatencySamples, o.LatencyWarmup, gap);
                var c2d = Measure.Latency(dev, client, false, o.LatencySamples, o.LatencyWarmup, gap);
                report.Set($"{prefix}{row}-d2c-p50", spec.Key, d2c.P50Us);
                report.Set($"{prefix}{row}-d2c-p99", spec.Key, d2c.P99Us);
                report.Set($"{prefix}{row}-c2d-p50", spec.Key, c2d.P50Us);
                report.Set($"{prefix}{row}-c2d-p99", spec.Key, c2d.P99Us);
                report.Raw[$"{spec.Key}/{prefix}{raw}-device-to-client"] = d2c;
                report.Raw[$"{spec.Key}/{prefix}{raw}-client-to-device"] = c2d;
                Console.WriteLine($"  {label} d->c p50 {d2c.P50Us:0} us p99 {d2c.P99Us:0} us; c->d p50 {c2d.P50Us:0} us p99 {c2d.P99Us:0} us");
            }

            LatencyRows("lat", "latency", "latency", o.LatencyGap);
            LatencyRows("b2b", "latency-back-to-back", "back-to-back", o.BackToBackGap);
            foreach (var (dir, toClient) in new[] { ("d2c", true), ("c2d", false) })
            {
                var t = Measure.Throughput(dev, client, toClient, o.ThroughputBytes, server.MainPid);
                report.Raw[$"{spec.Key}/{prefix}throughput-{dir}"] = t;
                if (t.Verified)
                {
                    report.Set($"{prefix}tp-{dir}", spec.Key, t.MBps);
                    report.Set($"{prefix}cpu-{dir}", spec.Key, t.ServerCpuMsPerMB);
                }
                else
                {
                    report.Fail($"{prefix}tp-{dir}", spec.Key, $"{t.MBps:0.0} MB/s until it failed {t.Error ?? ""}");

                    // The next direction gets a fresh connection (the server may have closed this one).
                    client.Dispose();
                    client = BenchConn.Connect(server.TcpPorts[0], telnet);
                    Measure.Sync(dev, [client], bothWays: true);
                }

                Console.WriteLine($"  throughput {dir}: {t.MBps:0.0} MB/s, server CPU {t.ServerCpuMsPerMB:0.0} ms/MB{(t.Verified ? ", verified" : $", FAILED: {t.Error}")}");
            }
        }, e => Array.ForEach(SinglePortKeys, k => report.Fail(prefix + k, spec.Key, e)));
    }

    /// <summary>Device→client throughput and CPU per MB: a browser-terminal WebSocket, then a raw TCP session, on one dashboard host.</summary>
    private static void WebTerminalRows(BenchOptions o, Report report)
    {
        Step("concentrator (dashboard host): browser-terminal WebSocket vs raw TCP, device→client", () =>
        {
            var (server, http) = WebTerminal.StartHost();
            using var stop = server;
            var dev = server.Devices[0];
            var web = WebTerminal.ThroughputAsync(dev, http, o.ThroughputBytes, server.MainPid).GetAwaiter().GetResult();
            report.Raw["concentrator/web-throughput-d2c"] = web;
            if (web.Verified)
            {
                report.Set("web-tp-d2c", "concentrator", web.MBps);
                report.Set("web-cpu-d2c", "concentrator", web.ServerCpuMsPerMB);
            }
            else
            {
                report.Fail("web-tp-d2c", "concentrator", $"{web.MBps:0.0} MB/s until it failed {web.Error ?? ""}");
            }

            Console.WriteLine($"  WebSocket d2c: {web.MBps:0.0} MB/s, server CPU {web.ServerCpuMsPerMB:0.0} ms/MB{(web.Verified ? ", verified" : $", FAILED: {web.Error}")}");

            using var client = BenchConn.Connect(server.TcpPorts[0]);
            Measure.Sync(dev, [client], bothWays: false);
            var tcp = Measure.Throughput(dev, client, true, o.ThroughputBytes, server.MainPid);
            report.Raw["concentrator/web-host-tcp-throughput-d2c"] = tcp;
            if (tcp.Verified)
            {
                report.Set("web-tcp-tp-d2c", "concentrator", tcp.MBps);
                report.Set("web-tcp-cpu-d2c", "concentrator", tcp.ServerCpuMsPerMB);
            }
            else
            {
                report.Fail("web-tcp-tp-d2c", "concentrator", $"{tcp.MBps:0.0} MB/s until it failed {tcp.Error ?? ""}");
            }

            Console.WriteLine($"  raw TCP d2c, same host: {tcp.MBps:0.0} MB/s, server CPU {tcp.ServerCpuMsPerMB:0.0} ms/MB{(tcp.Verified ? ", verified" : $", FAILED: {tcp.Error}")}");
        }, e => Array.ForEach(["web-tp-d2c", "web-tcp-tp-d2c"], k => report.Fail(k, "concentrator", e)));
    }

    /// <summary>
    /// Latency and throughput of our raw listener while GET /api/ports is polled, as ratios to the same daemon and
    /// connection measured just before without polling (back to back, so load from elsewhere skews both alike).
    /// </summary>
    private static void ApiUnderLoad(BenchOptions o, Report report, ServerSpec spec)
    {
        const int pollsPerSecond = 50;
        string[] keys = ["api-lat-d2c-p50", "api-lat-d2c-p99", "api-lat-c2d-p50", "api-tp-d2c", "api-tp-c2d"];
        Step($"{spec.Title}: single port latency + throughput, then again while GET /api/ports is polled {pollsPerSecond}/s", () =>
        {
            var started = Stopwatch.GetTimestamp();
            using var server = spec.Start(1);
            using var client = BenchConn.Connect(server.TcpPorts[0], telnet: false);
            var dev = server.Devices[0];
            Measure.Sync(dev, [client], bothWays: true);
            var without = MeasureOnce(o, server, client);
            (double D2cP50, double D2cP99, double C2dP50, double TpD2c, double TpC2d, double CpuD2c, double CpuC2d) with;
            int answered, failed;
            double rate;
            using (var poller = new ApiPoller(server.ApiPort, pollsPerSecond))
            {
                // Warm-up, like the latency samples': the first requests JIT-compile ASP.NET, JSON and routing code,
                // a one-time cost of a fresh daemon, not what a long-running one pays per poll.
                Thread.Sleep(TimeSpan.FromSeconds(2));
                with = MeasureOnce(o, server, client);
                poller.Dispose();
                (answered, failed, rate) = (poller.Answered, poller.Failed, poller.Answered / Math.Max(0.001, poller.Elapsed.TotalSeconds));
            }

            report.Raw["concentrator/api-poll"] = new { without, with, answered, failed };
            report.Set("api-polls", "concentrator", rate);
            Ratio(report, "api-lat-d2c-p50", with.D2cP50, without.D2cP50);
            Ratio(report, "api-lat-d2c-p99", with.D2cP99, without.D2cP99);
            Ratio(report, "api-lat-c2d-p50", with.C2dP50, without.C2dP50);
            Ratio(report, "api-tp-d2c", with.TpD2c, without.TpD2c);
            Ratio(report, "api-tp-c2d", with.TpC2d, without.TpC2d);
            Console.WriteLine($"  without polling: latency d->c p50 {without.D2cP50:0} us p99 {without.D2cP99:0} us, c->d p50 {without.C2dP50:0} us; " +
                $"throughput d2c {without.TpD2c:0.0} MB/s, c2d {without.TpC2d:0.0} MB/s; server CPU {without.CpuD2c:0.0} / {without.CpuC2d:0.0} ms/MB");
            Console.WriteLine($"  with polling ({answered} answered, {rate:0.0}/s, {failed} failed): latency d->c p50 {with.D2cP50:0} us p99 {with.D2cP99:0} us, " +
                $"c->d p50 {with.C2dP50:0} us; throughput d2c {with.TpD2c:0.0} MB/s, c2d {with.TpC2d:0.0} MB/s; server CPU {with.CpuD2c:0.0} / {with.CpuC2d:0.0} ms/MB; step took {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
        }, e => Array.ForEach(keys, k => report.Fail(k, "concentrator", e)));
    }

    private static (double D2cP50, double D2cP99, double C2dP50, double TpD2c, double TpC2d, double CpuD2c, double CpuC2d) MeasureOnce(
        BenchOptions o, ServerInstance server, BenchConn client)
    {
        var dev = server.Devices[0];
        var d2c = Measure.Latency(dev, client, true, o.LatencySamples, o.LatencyWarmup, o.LatencyGap);
        var c2d = Measure.Latency(dev, client, false, o.LatencySamples, o.LatencyWarmup, o.LatencyGap);
        var tpD2c = Measure.Throughput(dev, client, true, o.ThroughputBytes, server.MainPid);
        var tpC2d = Measure.Throughput(dev, client, false, o.ThroughputBytes, server.MainPid);
        return (d2c.P50Us, d2c.P99Us, c2d.P50Us, tpD2c.Verified ? tpD2c.MBps : double.NaN, tpC2d.Verified ? tpC2d.MBps : double.NaN,
            tpD2c.ServerCpuMsPerMB, tpC2d.ServerCpuMsPerMB);
    }

    /// <summary>Sets <paramref name="row"/> to <paramref name="with"/> ÷ <paramref name="without"/>.</summary>
    private static void Ratio(Report report, string row, double with, double without)
    {
        if (without > 0 && double.IsFinite(with) && double.IsFinite(without))
        {
            report.Set(row, "concentrator", with / without);
        }
        else
        {
            report.Fail(row, "concentrator", "n/a (a measurement failed)");
        }
    }

    private static void FanOut(BenchOptions o, Report report, ServerSpec spec, string key, int k, bool withStalled, long bytes, double? pace)
    {
        var pacing = pace is { } p ? $"paced {p / 1e6:0.#} MB/s" : "UNPACED stress";
        Step($"{spec.Title}: fan-out to {k} client(s){(withStalled ? " + 1 never-reading client" : "")}, {pacing}", () =>
        {
            using var server = spec.Start(1);
            var r = Measure.FanOut(server, k, withStalled, bytes, pace, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(o.Full ? 180 : 60));
            report.Raw[$"{spec.Key}/{key}"] = r;
            if (r.Completed)
            {
                report.Set($"{key}-rate", spec.Key, r.AggregateMBps);
                report.Set($"{key}-slowest", spec.Key, r.SlowestReaderMBps);
                report.Set($"{key}-lag", spec.Key, r.SlowestLagMs);
            }
            else
            {
                report.Fail($"{key}-rate", spec.Key, $"{r.Error}; {r.DeliveredFraction:P0} delivered");
                report.Fail($"{key}-slowest", spec.Key, "n/a");
                report.Fail($"{key}-lag", spec.Key, "n/a");
            }

            if (double.IsFinite(r.WriterMBps))
            {
                report.Set($"{key}-writer", spec.Key, r.WriterMBps);
            }

            if (r.StalledClientFate is not null)
            {
                report.Text($"{key}-fate", spec.Key, r.StalledClientFate);
            }

            if (!r.Completed)
            {
                var lines = server.Log.Split('\n').Where(l => l.Contains("overflow", StringComparison.OrdinalIgnoreCase)
                    || l.Contains("disconnect", StringComparison.OrdinalIgnoreCase) || l.Contains("error", StringComparison.OrdinalIgnoreCase)).TakeLast(6);
                foreach (var l in lines)
                {
                    Console.WriteLine($"  server log: {l.Trim()}");
                }
            }

            Console.WriteLine($"  aggregate {r.AggregateMBps:0.0} MB/s, slowest reader {r.SlowestReaderMBps:0.00} MB/s, machine wrote at {r.WriterMBps:0.00} MB/s, " +
                $"slowest lag {r.SlowestLagMs:0.0} ms, delivered {r.DeliveredFraction:P1}" +
                (r.StalledClientFate is null ? "" : $", never-reading client: {r.StalledClientFate}") + (r.Error is null ? "" : $" [{r.Error}]"));
        }, e => report.Fail($"{key}-rate", spec.Key, e));
    }

    private static void Step(string title, Action body, Action<string> onError)
    {
        Console.WriteLine($"- {title}");
        try
        {
            body();
        }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException or InvalidDataException
                                       or System.Net.Sockets.SocketException or UnauthorizedAccessException or AggregateException
                                       or System.Net.WebSockets.WebSocketException or OperationCanceledException)
        {
            var first = e.Message.Split('\n')[0];
            Console.WriteLine($"  FAILED: {e.Message}");
            onError($"failed: {first}");
        }
    }

    internal static string FindRepoRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Concentrator.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("cannot find Concentrator.sln above the current directory");
    }

    private static string? FindTool(string name, string aptPackage)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/usr/sbin").Split(':').Append("/usr/sbin").Append("/sbin"))
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        Console.Error.WriteLine($"bench: '{name}' is not installed, so its column is skipped. Install it with: sudo apt-get install {aptPackage}");
        return null;
    }

    /// <summary>The Release daemon next to the sources; built once when missing (the bench itself builds nothing else).</summary>
    internal static string? EnsureDaemon(string root)
    {
        var dll = Path.Combine(root, "src", "Concentrator", "bin", "Release", "net10.0", "concentrator.dll");
        if (File.Exists(dll))
        {
            return dll;
        }

        Console.WriteLine($"bench: {dll} is missing; running dotnet build src/Concentrator -c Release");
        using var build = Process.Start(new ProcessStartInfo("dotnet", ["build", Path.Combine(root, "src", "Concentrator"), "-c", "Release", "-nologo", "-v", "quiet"])
        {
            UseShellExecute = false,
        });
        if (build is null)
        {
            Console.Error.WriteLine("bench: could not start dotnet build");
            return null;
        }

        build.WaitForExit();
        if (build.ExitCode != 0 || !File.Exists(dll))
        {
            Console.Error.WriteLine($"bench: building the daemon failed (exit {build.ExitCode}); nothing was measured");
            return null;
        }

        return dll;
    }
}

internal sealed record Machine(int Cores, string Cpu, string Kernel, string DotNet, string Ser2net, string Socat, bool PtyForcesCs8)
{
    public string Summary => $"{Cores} cores ({Cpu}), Linux {Kernel}, {DotNet}, {Ser2net}, {Socat}";

    public static Machine Describe(string? ser2net, string? socat)
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown cpu"
            : "unknown cpu";
        var kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : RuntimeInformation.OSDescription;
        return new Machine(Environment.ProcessorCount, cpu, kernel, RuntimeInformation.FrameworkDescription,
            ser2net is null ? "ser2net missing" : FirstLine(ser2net, "-v"),
            socat is null ? "socat missing" : FirstLine(socat, "-V", "socat version"),
            VirtualSerialDevice.PtyForcesEightBitsNoParity);
    }

    private static string FirstLine(string tool, string arg, string? startsWith = null)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(tool, [arg]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            if (p is null)
            {
                return Path.GetFileName(tool);
            }

            var text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit(5000);
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return (startsWith is null ? lines.FirstOrDefault() : lines.FirstOrDefault(l => l.Contains(startsWith, StringComparison.Ordinal))) ?? Path.GetFileName(tool);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return Path.GetFileName(tool);
        }
    }
}

/// <summary>The collected figures and the markdown table.</summary>
internal sealed class Report
{
    private static readonly string[] Columns = ["concentrator", "ser2net", "ser2net-nodelay", "socat"];
    private readonly Dictionary<(string Row, string Server), double> _values = [];
    private readonly Dictionary<(string Row, string Server), string> _texts = [];

    public Dictionary<string, object> Raw { get; } = [];

    public int Failures { get; private set; }

    public void Set(string row, string server, double value) => _values[(row, server)] = value;

    public bool TryGet(string row, string server, out double value) => _values.TryGetValue((row, server), out value);

    public void Text(string row, string server, string text) => _texts[(row, server)] = text;

    public void Fail(string row, string server, string text)
    {
        Failures++;
        _texts[(row, server)] = text;
    }

    private static List<(string Key, string Metric, string Unit, bool HigherIsBetter, string Format)> Layout(BenchOptions o)
    {
        var rows = new List<(string, string, string, bool, string)>();
        foreach (var (prefix, label) in new[]
        {
            ("", "raw TCP"), ("rfc-", "RFC 2217 (telnet client)"),
            ("up-", "upstream hop: ours (raw client, device rfc2217://) → ser2net, vs a telnet client of ser2net direct"),
        })
        {
            rows.AddRange(
            [
                ($"{prefix}lat-d2c-p50", $"{label}: device→client latency p50 ({o.LatencySamples} single bytes)", "µs", false, "0"),
                ($"{prefix}lat-d2c-p99", $"{label}: device→client latency p99", "µs", false, "0"),
                ($"{prefix}lat-c2d-p50", $"{label}: client→device latency p50", "µs", false, "0"),
                ($"{prefix}lat-c2d-p99", $"{label}: client→device latency p99", "µs", false, "0"),
                ($"{prefix}b2b-d2c-p50", $"{label}: back-to-back device→client latency p50 ({o.LatencySamples} single bytes, no gap)", "µs", false, "0"),
                ($"{prefix}b2b-d2c-p99", $"{label}: back-to-back device→client latency p99", "µs", false, "0"),
                ($"{prefix}b2b-c2d-p50", $"{label}: back-to-back client→device latency p50", "µs", false, "0"),
                ($"{prefix}b2b-c2d-p99", $"{label}: back-to-back client→device latency p99", "µs", false, "0"),
                ($"{prefix}tp-d2c", $"{label}: throughput device→client ({o.ThroughputBytes >> 20} MiB, verified)", "MB/s", true, "0.0"),
                ($"{prefix}tp-c2d", $"{label}: throughput client→device ({o.ThroughputBytes >> 20} MiB, verified)", "MB/s", true, "0.0"),
                ($"{prefix}cpu-d2c", $"{label}: server CPU per MB, device→client", "ms/MB", false, "0.0"),
                ($"{prefix}cpu-c2d", $"{label}: server CPU per MB, client→device", "ms/MB", false, "0.0"),
            ]);
        }

        var web = "browser terminal (dashboard host";
        rows.Add(("web-tp-d2c", $"{web}): WebSocket session throughput device→client ({o.ThroughputBytes >> 20} MiB, verified)", "MB/s", true, "0.0"));
        rows.Add(("web-cpu-d2c", $"{web}): server CPU per MB, WebSocket session", "ms/MB", false, "0.0"));
        rows.Add(("web-tcp-tp-d2c", $"{web}): raw TCP session beside it, throughput device→client", "MB/s", true, "0.0"));
        rows.Add(("web-tcp-cpu-d2c", $"{web}): server CPU per MB, raw TCP session beside it", "ms/MB", false, "0.0"));
        const string polled = "raw TCP while GET /api/ports is polled 50/s";
        rows.Add(("api-polls", $"{polled}: polls answered", "per s", true, "0.0"));
        rows.Add(("api-lat-d2c-p50", $"{polled}: device→client latency p50, with ÷ without polling", "×", false, "0.00"));
        rows.Add(("api-lat-d2c-p99", $"{polled}: device→client latency p99, with ÷ without polling", "×", false, "0.00"));
        rows.Add(("api-lat-c2d-p50", $"{polled}: client→device latency p50, with ÷ without polling", "×", false, "0.00"));
        rows.Add(("api-tp-d2c", $"{polled}: throughput device→client, with ÷ without polling", "×", true, "0.00"));
        rows.Add(("api-tp-c2d", $"{polled}: throughput client→device, with ÷ without polling", "×", true, "0.00"));
        foreach (var (key, what, unit, higher, format) in new[]
        {
            ("d2c-p50", "device→client latency p50", "µs", false, "0"), ("d2c-p99", "device→client latency p99", "µs", false, "0"),
            ("c2d-p50", "client→device latency p50", "µs", false, "0"), ("c2d-p99", "client→device latency p99", "µs", false, "0"),
            ("tp-d2c", $"throughput device→client ({o.ThroughputBytes >> 20} MiB, verified)", "MB/s", true, "0.0"),
            ("tp-c2d", $"throughput client→device ({o.ThroughputBytes >> 20} MiB, verified)", "MB/s", true, "0.0"),
        })
        {
            rows.Add(($"tls-{key}-plain", $"raw TCP, same Stream client as TLS: {what}", unit, higher, format));
            rows.Add(($"tls-{key}-tls", $"raw TLS (SslStream client): {what}", unit, higher, format));
            rows.Add(($"tls-{key}-ratio", $"TLS / plain: {what} (goal: {(higher ? "≥ 0.5" : "< 2")})", "×", higher, "0.00"));
        }

        rows.Add(("pyserial-open", $"pyserial serial_for_url(\"rfc2217://…\", baudrate=9600) open time, median of {o.PyserialOpens}", "ms", false, "0.0"));

        var pace = $"{BenchOptions.FanOutPace / 1e6:0.#} MB/s";
        foreach (var stalled in new[] { false, true })
        {
            foreach (var k in o.FanOutClients)
            {
                var key = $"fan-{k}{(stalled ? "+stalled" : "")}";
                var label = $"fan-out, machine paced to {pace}, {k} reading client(s){(stalled ? " + 1 never-reading" : "")}";
                rows.Add(($"{key}-rate", $"{label}: aggregate ({o.FanOutBytes >> 20} MiB each, verified)", "MB/s", true, "0.0"));
                rows.Add(($"{key}-slowest", $"{label}: slowest reader's rate", "MB/s", true, "0.00"));
                rows.Add(($"{key}-writer", $"{label}: rate the machine could write at", "MB/s", true, "0.00"));
                rows.Add(($"{key}-lag", $"{label}: slowest client lag after the last write", "ms", false, "0.0"));
                if (stalled)
                {
                    rows.Add(($"{key}-rel", $"{label}: readers' aggregate with / without the never-reader (0 = stalled)", "×", true, "0.00"));
                    rows.Add(($"{key}-fate", $"{label}: what happened to the never-reading client", "", false, ""));
                }
            }
        }

        var stress = $"STRESS fan-out, machine UNPACED (as fast as the pty takes it), {o.StressClients} reading clients";
        rows.Add(("stress-rate", $"{stress}: aggregate ({o.StressBytes >> 20} MiB each, verified)", "MB/s", true, "0.0"));
        rows.Add(("stress-writer", $"{stress}: rate the machine could write at", "MB/s", true, "0.0"));
        rows.Add(("stress-lag", $"{stress}: slowest client lag after the last write", "ms", false, "0.0"));

        foreach (var (ports, rate) in o.PortScenarios)
        {
            var key = $"ports-{ports}-{rate}";
            var label = rate == 0 ? $"{ports} idle ports (1 idle client each)" : $"{ports} ports, machine writes {rate} B/s on each, 1 reading client each";
            rows.Add(($"{key}-cpu", $"{label}, {o.IdleWindow.TotalSeconds:0} s: CPU", "% of 1 core", false, "0.00"));
            rows.Add(($"{key}-rss", $"{label}: RSS", "MiB", false, "0.0"));
            if (rate > 0)
            {
                rows.Add(($"{key}-rx", $"{label}: received by all clients (verified)", "KiB/s", true, "0.0"));
            }
        }

        return rows;
    }

    public string Markdown(BenchOptions o, HashSet<string> ran, string onlyPrefix = "", IReadOnlyCollection<string>? onlyKeys = null)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| metric | unit | concentrator | ser2net | ser2net chardelay=false | socat floor | ours / ser2net | ours / floor | better |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (var (key, metric, unit, higher, format) in Layout(o).Where(r => r.Key.StartsWith(onlyPrefix, StringComparison.Ordinal) && (onlyKeys is null || onlyKeys.Contains(r.Key))))
        {
            string Cell(string server)
            {
                if (_values.TryGetValue((key, server), out var v))
                {
                    return double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";
                }

                return _texts.TryGetValue((key, server), out var t) ? t.Replace("|", "/", StringComparison.Ordinal) : ran.Contains(server) ? "–" : "not run";
            }

            string Ratio(string other) =>
                _values.TryGetValue((key, "concentrator"), out var a) && _values.TryGetValue((key, other), out var b) && b > 0 && double.IsFinite(a)
                    ? (a / b).ToString("0.00", CultureInfo.InvariantCulture) + "×"
                    : "–";

            var better = format.Length == 0 ? "" : higher ? "higher" : "lower";
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {metric} | {unit} | {string.Join(" | ", Columns.Select(Cell))} | {Ratio("ser2net")} | {Ratio("socat")} | {better} |");
        }

        return sb.ToString();
    }

    public List<Dictionary<string, object?>> Rows(BenchOptions o) =>
        Layout(o).Select(r =>
        {
            var row = new Dictionary<string, object?> { ["key"] = r.Key, ["metric"] = r.Metric, ["unit"] = r.Unit };
            if (r.Format.Length > 0)
            {
                row["better"] = r.HigherIsBetter ? "higher" : "lower";
            }

            foreach (var c in Columns)
            {
                row[c] = _values.TryGetValue((r.Key, c), out var v) ? (double.IsFinite(v) ? v : null) : _texts.GetValueOrDefault((r.Key, c));
            }

            return row;
        }).ToList();
}

/// <summary>Runs an action on dispose (closes whichever connection is current when a step ends).</summary>
internal sealed class Disposer(Action action) : IDisposable
{
    public void Dispose() => action();
}
