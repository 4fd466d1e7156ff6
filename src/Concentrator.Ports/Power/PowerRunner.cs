using System.Diagnostics;
using System.Text;

namespace Concentrator.Ports.Power;

/// <summary>What a power command did: whether it succeeded (exit status 0 within the timeout) and what it printed.</summary>
public sealed record PowerOutcome(bool Ok, string Output);

/// <summary>
/// Runs one command (a power action, a trigger's command): the argv without a shell, stdin closed, stdout and stderr together (at most
/// <see cref="MaxOutput"/> characters kept), killed with its children at the timeout. Asynchronous: it never blocks the
/// caller's thread, so a port actor can start it and pipe the outcome back to itself.
/// </summary>
public static class PowerRunner
{
    public const int MaxOutput = 8 * 1024;

    public static async Task<PowerOutcome> RunAsync(IReadOnlyList<string> argv, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(argv);
        var info = new ProcessStartInfo(argv[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in argv.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var output = new StringBuilder();
        void Add(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                if (output.Length < MaxOutput)
                {
                    output.Append(line.Length + output.Length > MaxOutput ? line[..(MaxOutput - output.Length)] : line).Append('\n');
                }
            }
        }

        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new PowerOutcome(false, $"cannot start {argv[0]}: {e.Message}");
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return new PowerOutcome(false, Text(output) + $"timed out after {timeout.TotalSeconds:0} s: killed");
        }

        // The output streams drain; bounded, since a child the command left behind may hold them open.
        process.WaitForExit(TimeSpan.FromSeconds(2));
        var text = Text(output);
        return process.ExitCode == 0 ? new PowerOutcome(true, text) : new PowerOutcome(false, text + $"exit status {process.ExitCode}");
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
