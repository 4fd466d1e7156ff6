using Concentrator.Testing;
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
    private readonly string? _leaseStore;
    private readonly string? _workingDirectory;

    private DaemonProcess(Process process, string? configPath, int apiPort, string? leaseStore, string? workingDirectory)
    {
        _process = process;
        _configPath = configPath;
        ApiPort = apiPort;
        _leaseStore = leaseStore;
        _workingDirectory = workingDirectory;
    }

    /// <summary>The daemon's management API port: 7900 for the embedded default, a free port for a test's own config.</summary>
    public int ApiPort { get; }

    /// <summary>The management API's base address, e.g. http://127.0.0.1:7900.</summary>
    public Uri ApiUrl => new($"http://127.0.0.1:{ApiPort}");

    /// <summary>The config file the daemon was started with (null for the embedded default); rewrite it and reload.</summary>
    public string? ConfigPath => _configPath;

    public static string ExecutablePath => Path.Combine(AppContext.BaseDirectory, "concentrator.dll");

    /// <summary>
    /// Starts <c>concentrator serve</c> with the given HOCON (or the embedded default when null). A config that does not
    /// set the API's port gets a free one, so daemons of tests running in parallel never fight over 7900; one that does
    /// not set <c>leases.store</c> gets a lease store of its own in the temp directory (deleted on dispose), so they never share
    /// a lease database either. The embedded default (whose store is leases.db in the state directory) runs in a
    /// temp directory of its own unless the test names one, which is also its state directory.
    /// </summary>
    public static DaemonProcess Start(string? hocon, params string[] extraArgs) =>
        Start(hocon, new Dictionary<string, string>(), workingDirectory: null, extraArgs);

    /// <summary>
    /// Like <see cref="Start(string?, string[])"/>, with extra environment variables for the daemon and its working
    /// directory (the test's when null).
    /// </summary>
    public static DaemonProcess Start(string? hocon, IReadOnlyDictionary<string, string> environment, string? workingDirectory,
        params string[] extraArgs) => StartWith(["dotnet"], hocon, environment, workingDirectory, extraArgs);

    /// <summary>
    /// Like <see cref="Start(string?, string[])"/>, inside the network namespace <paramref name="netns"/> (ip netns exec
    /// replaces itself with the daemon, so the process is the daemon's). Its loopback is the namespace's own.
    /// </summary>
    public static DaemonProcess StartInNetworkNamespace(string netns, string hocon, params string[] extraArgs) =>
        StartWith(["ip", "netns", "exec", netns, "dotnet"], hocon, new Dictionary<string, string>(), null, extraArgs);

    private static DaemonProcess StartWith(string[] launcher, string? hocon, IReadOnlyDictionary<string, string> environment,
        string? workingDirectory, string[] extraArgs)
    {
        string? configPath = null;
        string? leaseStore = null;
        string? ownDirectory = null;
        var apiPort = 7900;
        var args = new List<string> { ExecutablePath, "serve" };
        if (hocon is not null)
        {
            configPath = Path.Combine(Path.GetTempPath(), $"concentrator-test-{Guid.NewGuid():N}.conf");
            var port = ApiPortRegex().Match(hocon);
            if (port.Success)
            {
                apiPort = int.Parse(port.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                apiPort = Concentrator.Testing.FreeTcpPort.Next();
                hocon += $"\nconcentrator.api.port = {apiPort}\n"; // merged into the test's own api section, if any
            }

            if (!LeaseStoreRegex().IsMatch(hocon))
            {
                leaseStore = Path.Combine(Path.GetTempPath(), $"leases-{Guid.NewGuid():N}.db");
                hocon += LeaseStoreLine(leaseStore);
            }

            File.WriteAllText(configPath, hocon);
            args.AddRange(["--config", configPath]);
        }

        else if (workingDirectory is null)
        {
            ownDirectory = Path.Combine(Path.GetTempPath(), $"concentrator-test-{Guid.NewGuid():N}");
            Directory.CreateDirectory(ownDirectory);
            workingDirectory = ownDirectory;
        }

        args.AddRange(extraArgs);
        var info = new ProcessStartInfo(launcher[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var a in launcher.Skip(1).Concat(args))
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // A test run inside a Type=notify unit must not let its daemons notify that unit's manager.
        info.Environment.Remove("NOTIFY_SOCKET");
        if (hocon is null)
        {
            info.Environment["STATE_DIRECTORY"] = workingDirectory; // never the user's own state directory
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var daemon = new DaemonProcess(process, configPath, apiPort, leaseStore, ownDirectory);
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
        ChildProcesses.KillAndDispose(_process);
        if (_configPath is not null)
        {
            File.Delete(_configPath);
        }

        if (_leaseStore is not null)
        {
            foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
            {
                File.Delete(_leaseStore + suffix);
            }
        }

        if (_workingDirectory is not null)
        {
            try
            {
                Directory.Delete(_workingDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Replaces the config file (keeping the API on <see cref="ApiPort"/>), for a reload to pick up.</summary>
    public void RewriteConfig(string hocon) =>
        File.WriteAllText(_configPath ?? throw new InvalidOperationException("the embedded default has no file to rewrite"),
            hocon + $"\nconcentrator.api.port = {ApiPort}\n" + (_leaseStore is null ? "" : LeaseStoreLine(_leaseStore)));

    private static string LeaseStoreLine(string path) => $"\nconcentrator.leases.store = \"sqlite:{path}\"\n";

    /// <summary>Sends SIGHUP: the daemon reloads its config.</summary>
    public void Hangup() => _ = Kill(_process.Id, Sighup);

    private const int Sigterm = 15;
    private const int Sighup = 1;

    /// <summary>The API port a config sets itself: "api { ... port = N" or "api.port = N" (not "/tmp/api-x ... port = N").</summary>
    [GeneratedRegex(@"(^|[\s.{])api\s*(\{[^}]*?\bport|\.port)\s*=\s*(?<port>\d+)", RegexOptions.Multiline)]
    private static partial Regex ApiPortRegex();

    /// <summary>Whether a config sets the lease store itself ("leases { ... store = ..." or "leases.store = ..."), like <see cref="ApiPortRegex"/>.</summary>
    [GeneratedRegex(@"(^|[\s.{])leases\s*(\{[^}]*?\bstore|\.store)\s*[=:]", RegexOptions.Multiline)]
    private static partial Regex LeaseStoreRegex();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
