using System.Diagnostics;

namespace Concentrator.Testing;

/// <summary>
/// A program run to its end (openssl, ssh-keygen, useradd, curl, systemd-analyze, our own CLI): stdin closed, both
/// outputs read to the end, a bounded wait. The one place tests run such a program; one that keeps running (a daemon,
/// a pty, a client the test types into) is a <see cref="RunningProcess"/>.
/// </summary>
public static class ExternalCommand
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Its exit code and what it printed.</summary>
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        /// <summary>stdout then stderr, for assertions that do not care which.</summary>
        public string Output => Stdout + Stderr;
    }

    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/>; throws <see cref="TimeoutException"/> after killing a program that does not end.</summary>
    /// <param name="unset">Variables of the test's own environment the program must not see.</param>
    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null, TimeSpan? timeout = null, IEnumerable<string>? unset = null)
    {
        var info = RunningProcess.StartInfo(file, args, environment, workingDirectory, unset);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        process.StandardInput.Close(); // a program that reads stdin (openssl s_client) ends at its end
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout ?? DefaultTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            ChildProcesses.KillAndDispose(process);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {(timeout ?? DefaultTimeout).TotalSeconds:0} s");
        }

        return new Result(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary><see cref="RunAsync"/>, waited for.</summary>
    public static Result Run(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null, TimeSpan? timeout = null, IEnumerable<string>? unset = null) =>
        RunAsync(file, args, environment, workingDirectory, timeout, unset).GetAwaiter().GetResult();

    /// <summary>Runs it and throws with what it printed unless it exits 0.</summary>
    public static Result MustRun(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var result = Run(file, args, environment, workingDirectory, timeout);
        return result.ExitCode == 0
            ? result
            : throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {result.ExitCode}: {result.Stderr}{result.Stdout}");
    }
}
