using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Concentrator.Bench;

/// <summary>Every process the bench started, so each exit path (finally, Ctrl-C, SIGTERM, ProcessExit) can kill them.</summary>
internal static class ProcessRegistry
{
    private static readonly Lock Gate = new();
    private static readonly HashSet<Process> Live = [];

    public static void Add(Process p)
    {
        lock (Gate)
        {
            Live.Add(p);
        }
    }

    public static void Remove(Process p)
    {
        lock (Gate)
        {
            Live.Remove(p);
        }
    }

    public static void KillAll()
    {
        Process[] all;
        lock (Gate)
        {
            all = [.. Live];
            Live.Clear();
        }

        foreach (var p in all)
        {
            Kill(p);
        }
    }

    public static void Kill(Process p)
    {
        try
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }

    /// <summary>Kills the children on SIGINT/SIGTERM/SIGQUIT before the default action ends the bench.</summary>
    public static IDisposable InstallSignalHandlers()
    {
        var registrations = new List<PosixSignalRegistration>();
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT })
        {
            registrations.Add(PosixSignalRegistration.Create(signal, _ =>
            {
                Console.Error.WriteLine("bench: interrupted; stopping every server it started");
                KillAll();
            }));
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        return new Registrations(registrations);
    }

    private sealed class Registrations(List<PosixSignalRegistration> items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var r in items)
            {
                r.Dispose();
            }
        }
    }
}

/// <summary>A child process whose output is collected (bounded) and which is killed on dispose.</summary>
internal sealed class ManagedProcess : IDisposable
{
    private const int MaxOutput = 1 << 20;
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();

    private ManagedProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string CommandLine { get; private init; } = "";

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    public static ManagedProcess Start(string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info };
        var managed = new ManagedProcess(process) { CommandLine = fileName + " " + string.Join(' ', info.ArgumentList) };
        process.OutputDataReceived += (_, e) => managed.Append(e.Data);
        process.ErrorDataReceived += (_, e) => managed.Append(e.Data);
        process.Start();
        ProcessRegistry.Add(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>Waits until <paramref name="ready"/> holds for the output; throws with the output if the process dies or time runs out.</summary>
    public void WaitUntil(Func<string, bool> ready, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (ready(Output))
            {
                return;
            }

            if (_process.HasExited)
            {
                _process.WaitForExit();
                throw new InvalidOperationException($"{CommandLine} exited ({_process.ExitCode}) before {what}:\n{Tail(Output)}");
            }

            Thread.Sleep(20);
        }

        throw new TimeoutException($"{CommandLine}: no {what} within {timeout.TotalSeconds:0} s:\n{Tail(Output)}");
    }

    public static string Tail(string text) => text.Length <= 3000 ? text : "..." + text[^3000..];

    public void Dispose()
    {
        ProcessRegistry.Kill(_process);
        ProcessRegistry.Remove(_process);
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            if (_output.Length > MaxOutput)
            {
                _output.Remove(0, _output.Length / 2);
            }

            _output.AppendLine(line);
        }
    }
}

/// <summary>Reads /proc for a process's CPU time and resident memory, and for listening TCP ports.</summary>
internal static class ProcFs
{
    /// <summary>USER_HZ: the unit of utime/stime in /proc/PID/stat (100 on every Linux ABI .NET runs on).</summary>
    public const double TicksPerSecond = 100.0;

    /// <summary>utime + stime of the process, in clock ticks.</summary>
    public static long CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state); utime is field 14 and stime field 15.
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    /// <summary>VmRSS in KiB.</summary>
    public static long RssKiB(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>The numeric fields of /proc/PID/status (sizes in KiB, e.g. VmRSS, RssAnon, RssFile; Threads).</summary>
    public static Dictionary<string, long> Status(int pid)
    {
        var fields = new Dictionary<string, long>();
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var value = colon < 0 ? "" : line[(colon + 1)..].Trim().Split(' ')[0];
            if (colon > 0 && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
            {
                fields[line[..colon]] = n;
            }
        }

        return fields;
    }

    /// <summary>The TCP ports in LISTEN state on any IPv4/IPv6 address.</summary>
    public static HashSet<int> ListeningPorts()
    {
        var ports = new HashSet<int>();
        foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(file))
            {
                continue;
            }

            foreach (var line in File.ReadLines(file).Skip(1))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length > 3 && parts[3] == "0A")
                {
                    var local = parts[1];
                    ports.Add(int.Parse(local[(local.LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                }
            }
        }

        return ports;
    }

    public static void WaitListening(IReadOnlyCollection<int> ports, ManagedProcess owner, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var listening = ListeningPorts();
            if (ports.All(listening.Contains))
            {
                return;
            }

            if (owner.HasExited)
            {
                throw new InvalidOperationException($"{owner.CommandLine} exited before listening:\n{ManagedProcess.Tail(owner.Output)}");
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{owner.CommandLine}: ports not listening within {timeout.TotalSeconds:0} s:\n{ManagedProcess.Tail(owner.Output)}");
            }

            Thread.Sleep(20);
        }
    }
}
