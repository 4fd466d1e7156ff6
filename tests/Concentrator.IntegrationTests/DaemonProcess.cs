using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Concentrator.IntegrationTests;

/// <summary>
/// Runs the real <c>concentrator</c> executable (built next to the tests) as a child process, with a config file
/// written for the test, and collects what it prints so tests can wait for log lines.
/// </summary>
public sealed partial class DaemonProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();
    private readonly string? _configPath;

    private DaemonProcess(Process process, string? configPath)
    {
        _process = process;
        _configPath = configPath;
    }

    public static string ExecutablePath => Path.Combine(AppContext.BaseDirectory, "concentrator.dll");

    /// <summary>Starts <c>concentrator serve</c> with the given HOCON (or the embedded default when null).</summary>
    public static DaemonProcess Start(string? hocon, params string[] extraArgs) =>
        Start(hocon, new Dictionary<string, string>(), workingDirectory: null, extraArgs);

    /// <summary>
    /// Like <see cref="Start(string?, string[])"/>, with extra environment variables for the daemon and its working
    /// directory (the test's when null).
    /// </summary>
    public static DaemonProcess Start(string? hocon, IReadOnlyDictionary<string, string> environment, string? workingDirectory,
        params string[] extraArgs)
    {
        string? configPath = null;
        var args = new List<string> { ExecutablePath, "serve" };
        if (hocon is not null)
        {
            configPath = Path.Combine(Path.GetTempPath(), $"concentrator-test-{Guid.NewGuid():N}.conf");
            File.WriteAllText(configPath, hocon);
            args.AddRange(["--config", configPath]);
        }

        args.AddRange(extraArgs);
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // A test run inside a Type=notify unit must not let its daemons notify that unit's manager.
        info.Environment.Remove("NOTIFY_SOCKET");
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var daemon = new DaemonProcess(process, configPath);
        process.OutputDataReceived += (_, e) => daemon.Append(e.Data);
        process.ErrorDataReceived += (_, e) => daemon.Append(e.Data);
        try
        {
            process.Start();
        }
        catch
        {
            daemon.Dispose(); // removes the config file
            throw;
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return daemon;
    }

    /// <summary>Runs the executable to completion (for --check and config errors) and returns exit code and output.</summary>
    public static (int ExitCode, string Output) Run(string? hocon, params string[] extraArgs)
    {
        using var daemon = Start(hocon, extraArgs);
        if (!daemon._process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("concentrator did not exit:\n" + daemon.Output);
        }

        daemon._process.WaitForExit(); // drains the output readers
        return (daemon._process.ExitCode, daemon.Output);
    }

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

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public int ProcessId => _process.Id;

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>Waits until the output matches <paramref name="pattern"/>; fails with the whole output otherwise.</summary>
    public void WaitFor(string pattern, TimeSpan? timeout = null)
    {
        var regex = new Regex(pattern, RegexOptions.Multiline);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            if (regex.IsMatch(Output))
            {
                return;
            }

            if (_process.HasExited)
            {
                _process.WaitForExit();
                if (regex.IsMatch(Output))
                {
                    return;
                }

                throw new InvalidOperationException($"concentrator exited ({_process.ExitCode}) before printing /{pattern}/:\n{Output}");
            }

            Thread.Sleep(20);
        }

        throw new TimeoutException($"concentrator did not print /{pattern}/ in time:\n{Output}");
    }

    /// <summary>Waits until each named port reports its device online.</summary>
    public void WaitOnline(params string[] ports)
    {
        foreach (var port in ports)
        {
            WaitFor($@"port {Regex.Escape(port)}: online");
        }
    }

    /// <summary>Sends SIGTERM (as systemd or docker stop would) and waits for the process to exit.</summary>
    public int Terminate(TimeSpan? timeout = null)
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, Sigterm);
            if (!_process.WaitForExit(timeout ?? TimeSpan.FromSeconds(15)))
            {
                throw new TimeoutException("concentrator did not stop on SIGTERM:\n" + Output);
            }
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        if (_configPath is not null)
        {
            File.Delete(_configPath);
        }
    }

    private const int Sigterm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
