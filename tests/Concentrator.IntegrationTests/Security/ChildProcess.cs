using Concentrator.Testing;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Concentrator.IntegrationTests.Security;

/// <summary>A real program the security tests drive (openssl, socat, ssh, our own client): stdin to write, output to wait for.</summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();

    private ChildProcess(Process process) => _process = process;

    public static ChildProcess Start(string file, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Our own executable with a client command.</summary>
    public static ChildProcess Concentrator(IEnumerable<string> args, IDictionary<string, string>? environment = null) =>
        Start("dotnet", [DaemonProcess.ExecutablePath, .. args], environment);

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

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_gate)
            {
                _output.AppendLine(line);
            }
        }
    }

    public void Write(string text)
    {
        _process.StandardInput.Write(text);
        _process.StandardInput.Flush();
    }

    public void CloseInput() => _process.StandardInput.Close();

    public void WaitFor(string pattern, TimeSpan timeout)
    {
        var regex = new Regex(pattern, RegexOptions.Multiline);
        var deadline = DateTime.UtcNow + timeout;
        while (!regex.IsMatch(Output))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"did not print /{pattern}/ within {timeout}:\n{Output}");
            }

            Thread.Sleep(20);
        }
    }

    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            throw new TimeoutException($"{_process.StartInfo.FileName} did not exit within {timeout}:\n{Output}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        ChildProcesses.KillAndDispose(_process);
    }
}
