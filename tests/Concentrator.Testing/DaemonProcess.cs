using System.Text.RegularExpressions;

namespace Concentrator.Testing;

/// <summary>
/// Runs the real <c>concentrator serve</c> (<see cref="ConcentratorExecutable"/>) as a child process, with a config
/// file written for the test, and collects what it prints so tests can wait for log lines: the one daemon runner of
/// the tests, on <see cref="RunningProcess"/>.
/// </summary>
public sealed partial class DaemonProcess : IDisposable
{
    private readonly string? _configPath;
    private readonly string? _leaseStore;
    private readonly string? _workingDirectory;

    private RunningProcess? _process;

    private DaemonProcess(string? configPath, int apiPort, string? leaseStore, string? workingDirectory)
    {
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

    /// <summary>The daemon's process (output, waits, signals).</summary>
    public RunningProcess Process => _process ?? throw new InvalidOperationException("the daemon did not start");

    public static string ExecutablePath => ConcentratorExecutable.Path;

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
        string? auditFile = null;
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
                apiPort = FreeTcpPort.Next();
                hocon += $"\nconcentrator.api.port = {apiPort}\n"; // merged into the test's own api section, if any
            }

            if (!LeaseStoreRegex().IsMatch(hocon))
            {
                leaseStore = Path.Combine(Path.GetTempPath(), $"leases-{Guid.NewGuid():N}.db");
                hocon += LeaseStoreLine(leaseStore);
            }

            if (!AuditFileRegex().IsMatch(hocon))
            {
                auditFile = Path.Combine(Path.GetTempPath(), $"audit-{Guid.NewGuid():N}.jsonl"); // not the user's state directory
                hocon += AuditFileLine(auditFile);
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
        var variables = new Dictionary<string, string>();
        if (hocon is null)
        {
            variables["STATE_DIRECTORY"] = workingDirectory!; // never the user's own state directory
        }

        foreach (var (name, value) in environment)
        {
            variables[name] = value;
        }

        var daemon = new DaemonProcess(configPath, apiPort, leaseStore, ownDirectory) { AuditFile = auditFile };
        try
        {
            daemon._process = RunningProcess.Start(launcher[0], [.. launcher.Skip(1), .. args], variables, workingDirectory);
        }
        catch
        {
            daemon.Dispose(); // removes the config file
            throw;
        }

        return daemon;
    }

    /// <summary>Runs the executable to completion (for --check and config errors) and returns exit code and output.</summary>
    public static (int ExitCode, string Output) Run(string? hocon, params string[] extraArgs)
    {
        using var daemon = Start(hocon, extraArgs);
        var exitCode = daemon.Process.WaitForExit(TimeSpan.FromSeconds(30));
        return (exitCode, daemon.Output);
    }

    public string Output => Process.Output;

    public bool HasExited => Process.HasExited;

    public int ExitCode => Process.ExitCode;

    public int ProcessId => Process.ProcessId;

    /// <summary>Waits until the output matches <paramref name="pattern"/>; fails with the whole output otherwise (at once when the daemon exits).</summary>
    public Match WaitFor(string pattern, TimeSpan? timeout = null) => Process.WaitFor(pattern, timeout);

    /// <summary><see cref="WaitFor"/> without blocking a thread between polls.</summary>
    public Task<Match> WaitForAsync(string pattern, TimeSpan? timeout = null) => Process.WaitForAsync(pattern, timeout);

    /// <summary>Waits until each named port reports its device online.</summary>
    public void WaitOnline(params string[] ports)
    {
        foreach (var port in ports)
        {
            WaitFor($@"port {Regex.Escape(port)}: online");
        }
    }

    /// <summary><see cref="WaitOnline"/> without blocking a thread between polls.</summary>
    public async Task WaitOnlineAsync(params string[] ports)
    {
        foreach (var port in ports)
        {
            await WaitForAsync($@"port {Regex.Escape(port)}: online").ConfigureAwait(false);
        }
    }

    /// <summary>Sends SIGTERM (as systemd or docker stop would) and waits for the process to exit.</summary>
    public int Terminate(TimeSpan? timeout = null) => Process.Signal(RunningProcess.Sigterm, timeout);

    public void Dispose()
    {
        _process?.Dispose();
        if (_configPath is not null)
        {
            File.Delete(_configPath);
        }

        if (AuditFile is not null)
        {
            File.Delete(AuditFile);
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
            hocon + $"\nconcentrator.api.port = {ApiPort}\n" + (_leaseStore is null ? "" : LeaseStoreLine(_leaseStore)) +
            (AuditFile is null ? "" : AuditFileLine(AuditFile)));

    private static string LeaseStoreLine(string path) => $"\nconcentrator.leases.store = \"sqlite:{path}\"\n";

    private static string AuditFileLine(string path) => $"\nconcentrator.audit.file = \"{path}\"\n";

    /// <summary>The audit trail this daemon writes when its config does not name one: a temp file of its own (deleted on dispose).</summary>
    public string? AuditFile { get; private init; }

    /// <summary>Whether a config sets the audit file itself, like <see cref="LeaseStoreRegex"/>.</summary>
    [GeneratedRegex(@"(^|[\s.{])audit\s*(\{[^}]*?\bfile|\.file)\s*[=:]", RegexOptions.Multiline)]
    private static partial Regex AuditFileRegex();

    /// <summary>Sends SIGHUP: the daemon reloads its config.</summary>
    public void Hangup() => Process.Send(RunningProcess.Sighup);

    /// <summary>The API port a config sets itself: "api { ... port = N" or "api.port = N" (not "/tmp/api-x ... port = N").</summary>
    [GeneratedRegex(@"(^|[\s.{])api\s*(\{[^}]*?\bport|\.port)\s*=\s*(?<port>\d+)", RegexOptions.Multiline)]
    private static partial Regex ApiPortRegex();

    /// <summary>Whether a config sets the lease store itself ("leases { ... store = ..." or "leases.store = ..."), like <see cref="ApiPortRegex"/>.</summary>
    [GeneratedRegex(@"(^|[\s.{])leases\s*(\{[^}]*?\bstore|\.store)\s*[=:]", RegexOptions.Multiline)]
    private static partial Regex LeaseStoreRegex();
}
