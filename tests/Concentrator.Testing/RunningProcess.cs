using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Concentrator.Testing;

/// <summary>
/// A program that keeps running while the test drives it (our daemon, our client, sshd, socat, openssl s_client):
/// stdin to write, what it prints kept (interleaved and per stream) to wait for, signals, and its whole tree killed on
/// dispose. The one place tests start such a program; one run to its end goes through <see cref="ExternalCommand"/>.
/// </summary>
public sealed partial class RunningProcess : IDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();

    private RunningProcess(Process process) => _process = process;

    /// <summary>
    /// Starts <paramref name="file"/> with <paramref name="args"/> (telemetry off, <c>NOTIFY_SOCKET</c> removed so no
    /// child notifies a systemd unit the test run is in) plus <paramref name="environment"/>, in
    /// <paramref name="workingDirectory"/> (the test's when null).
    /// </summary>
    public static RunningProcess Start(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null)
    {
        var info = StartInfo(file, args, environment, workingDirectory, unset: ["NOTIFY_SOCKET"]);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var running = new RunningProcess(process);
        process.OutputDataReceived += (_, e) => running.Append(running._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => running.Append(running._stderr, e.Data);
        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            throw;
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return running;
    }

    /// <summary>
    /// How tests start a program: all three streams redirected, no shell, telemetry off, the <paramref name="unset"/>
    /// variables of the test's own environment removed, then <paramref name="environment"/> set.
    /// </summary>
    internal static ProcessStartInfo StartInfo(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment,
        string? workingDirectory, IEnumerable<string>? unset)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var name in unset ?? [])
        {
            info.Environment.Remove(name);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return info;
    }

    /// <summary>Our own executable (<see cref="ConcentratorExecutable.Path"/>) with a command, e.g. <c>attach</c>, <c>pty</c>, <c>serve</c>.</summary>
    public static RunningProcess Concentrator(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null) =>
        Start("dotnet", [ConcentratorExecutable.Path, .. args], environment, workingDirectory);

    /// <summary>stdout and stderr, line by line in the order they arrived.</summary>
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

    public string Stdout
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public int ProcessId => _process.Id;

    /// <summary>What it was started as, for messages.</summary>
    public string Name => _process.StartInfo.ArgumentList.FirstOrDefault(a => a.EndsWith(".dll", StringComparison.Ordinal)) is { } dll
        ? Path.GetFileNameWithoutExtension(dll)
        : Path.GetFileName(_process.StartInfo.FileName);

    private void Append(StringBuilder stream, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            stream.AppendLine(line);
            _output.AppendLine(line);
        }
    }

    public void Write(string text)
    {
        _process.StandardInput.Write(text);
        _process.StandardInput.Flush();
    }

    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>
    /// Waits until <see cref="Output"/> matches <paramref name="pattern"/> (a multiline regex) at least
    /// <paramref name="occurrences"/> times and returns the last match; throws at once with the whole output when the
    /// program exits without printing it, <see cref="TimeoutException"/> after <paramref name="timeout"/> (20 s unless given).
    /// </summary>
    public Match WaitFor(string pattern, TimeSpan? timeout = null, int occurrences = 1)
    {
        var regex = new Regex(pattern, RegexOptions.Multiline);
        Match? found = null;
        Eventually.True(() => Printed(regex, occurrences, out found), timeout ?? DefaultWait,
            () => $"{Name} did not print /{pattern}/{(occurrences > 1 ? $" x{occurrences}" : "")}:\n{Output}");
        return found!;
    }

    /// <summary><see cref="WaitFor"/> without blocking a thread between polls.</summary>
    public async Task<Match> WaitForAsync(string pattern, TimeSpan? timeout = null, int occurrences = 1)
    {
        var regex = new Regex(pattern, RegexOptions.Multiline);
        Match? found = null;
        await Eventually.TrueAsync(() => Printed(regex, occurrences, out found), timeout ?? DefaultWait,
            () => $"{Name} did not print /{pattern}/{(occurrences > 1 ? $" x{occurrences}" : "")}:\n{Output}").ConfigureAwait(false);
        return found!;
    }

    private bool Printed(Regex regex, int occurrences, out Match? found)
    {
        var exited = _process.HasExited;
        if (exited)
        {
            _process.WaitForExit(); // drains the output readers
        }

        var matches = regex.Matches(Output);
        found = matches.Count > 0 ? matches[^1] : null;
        if (matches.Count >= occurrences)
        {
            return true;
        }

        if (exited)
        {
            throw new InvalidOperationException($"{Name} exited ({_process.ExitCode}) before printing /{regex}/:\n{Output}");
        }

        return false;
    }

    /// <summary>Waits for it to exit (all its output read) and returns the exit code.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            throw new TimeoutException($"{Name} did not exit within {timeout}:\n{Output}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Sends a signal (<see cref="Sigint"/>, <see cref="Sigterm"/>, <see cref="Sighup"/>, <see cref="Sigkill"/>) and returns at once.</summary>
    public void Send(int signal)
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, signal);
        }
    }

    /// <summary>Sends a signal and waits (15 s unless given) for the exit code.</summary>
    public int Signal(int signal, TimeSpan? timeout = null)
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, signal);
            if (!_process.WaitForExit(timeout ?? TimeSpan.FromSeconds(15)))
            {
                throw new TimeoutException($"{Name} did not stop on signal {signal}:\n{Output}");
            }
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public const int Sighup = 1;
    public const int Sigint = 2;
    public const int Sigkill = 9;
    public const int Sigterm = 15;

    public void Dispose() => ChildProcesses.KillAndDispose(_process);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
