using Concentrator.Testing;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Concentrator.Client.Tests;

/// <summary>Runs the real <c>concentrator</c> executable (a client command) as a child process.</summary>
public sealed partial class ConcentratorCli : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();

    private ConcentratorCli(Process process) => _process = process;

    public static ConcentratorCli Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "concentrator.dll"));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var cli = new ConcentratorCli(process);
        process.OutputDataReceived += (_, e) => cli.Append(cli._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => cli.Append(cli._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cli;
    }

    public static (int ExitCode, string Stdout, string Stderr) Run(string[] args, TimeSpan timeout)
    {
        using var cli = Start(args);
        if (!cli._process.WaitForExit(timeout))
        {
            throw new TimeoutException("concentrator did not exit:\n" + cli.Output);
        }

        cli._process.WaitForExit();
        return (cli._process.ExitCode, cli.Stdout, cli.Stderr);
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

    public string Output => Stdout + Stderr;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    private void Append(StringBuilder sb, string? line)
    {
        if (line is not null)
        {
            lock (_gate)
            {
                sb.AppendLine(line);
            }
        }
    }

    /// <summary>Waits until stdout+stderr match <paramref name="pattern"/> (counting matches, for repeated events).</summary>
    public void WaitFor(string pattern, TimeSpan? timeout = null, int occurrences = 1)
    {
        var regex = new Regex(pattern, RegexOptions.Multiline);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            if (regex.Matches(Output).Count >= occurrences)
            {
                return;
            }

            if (_process.HasExited)
            {
                _process.WaitForExit();
                if (regex.Matches(Output).Count >= occurrences)
                {
                    return;
                }

                throw new InvalidOperationException($"concentrator exited ({_process.ExitCode}) before printing /{pattern}/:\n{Output}");
            }

            Thread.Sleep(20);
        }

        throw new TimeoutException($"concentrator did not print /{pattern}/ x{occurrences} in time:\n{Output}");
    }

    /// <summary>Sends a signal (2 SIGINT, 15 SIGTERM) and waits for the exit code.</summary>
    public int Signal(int signal, TimeSpan? timeout = null)
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, signal);
            if (!_process.WaitForExit(timeout ?? TimeSpan.FromSeconds(15)))
            {
                throw new TimeoutException($"concentrator did not stop on signal {signal}:\n{Output}");
            }
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        ChildProcesses.KillAndDispose(_process);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
