using System.Diagnostics;
using System.Globalization;

namespace Concentrator.Bench;

internal sealed record PyserialResult(int Opens, double MedianMs, double MaxMs, string? Error);

/// <summary>Times <c>serial.serial_for_url("rfc2217://127.0.0.1:PORT", baudrate=9600)</c> with the system python3 (python3-serial).</summary>
internal static class Pyserial
{
    private const string Python = "/usr/bin/python3";

    private const string Script = """
        import sys, time, serial
        port, n = int(sys.argv[1]), int(sys.argv[2])
        for i in range(n):
            t0 = time.perf_counter()
            try:
                s = serial.serial_for_url("rfc2217://127.0.0.1:%d" % port, baudrate=9600)
            except Exception as e:
                print("ERROR %.1f ms: %s" % ((time.perf_counter() - t0) * 1000, str(e).replace("\n", " ")), flush=True)
                sys.exit(0)
            t1 = time.perf_counter()
            s.close()
            print("OPEN %.3f" % ((t1 - t0) * 1000), flush=True)
            time.sleep(0.2)
        """;

    public static PyserialResult OpenTimes(int port, int opens)
    {
        if (!File.Exists(Python))
        {
            return new PyserialResult(0, double.NaN, double.NaN, $"{Python} missing (apt-get install python3-serial)");
        }

        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-c", Script, port.ToString(CultureInfo.InvariantCulture), opens.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info) ?? throw new InvalidOperationException("could not start python3");
        ProcessRegistry.Add(p);
        try
        {
            var stderr = p.StandardError.ReadToEndAsync();
            var stdout = p.StandardOutput.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromSeconds(30 + 5 * opens)))
            {
                ProcessRegistry.Kill(p);
                return new PyserialResult(0, double.NaN, double.NaN, "python3 did not finish in time");
            }

            var times = new List<double>();
            foreach (var line in stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (line.StartsWith("OPEN ", StringComparison.Ordinal))
                {
                    times.Add(double.Parse(line[5..], CultureInfo.InvariantCulture));
                }
                else if (line.StartsWith("ERROR ", StringComparison.Ordinal))
                {
                    return new PyserialResult(times.Count, double.NaN, double.NaN, $"open {times.Count + 1} failed after {line[6..]}");
                }
            }

            if (times.Count == 0)
            {
                var err = stderr.Result.Trim();
                return new PyserialResult(0, double.NaN, double.NaN, $"python3 exited {p.ExitCode}: {(err.Length > 300 ? err[^300..] : err)}");
            }

            times.Sort();
            return new PyserialResult(times.Count, times[times.Count / 2], times[^1], null);
        }
        finally
        {
            ProcessRegistry.Remove(p);
        }
    }
}
