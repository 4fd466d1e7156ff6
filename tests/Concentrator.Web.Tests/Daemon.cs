using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Concentrator.Testing;

namespace Concentrator.Web.Tests;

/// <summary>
/// The real <c>concentrator serve</c> as a child process, its config in a temp directory of
/// its own (the lease store goes there too); what it prints is kept for failure messages. Killed on dispose.
/// </summary>
public sealed class Daemon : IDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _directory = new("web-daemon-");
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();

    /// <summary>Starts it with <paramref name="hocon"/> plus its API on a free loopback port (<see cref="ApiUrl"/>).</summary>
    public Daemon(string hocon)
    {
        var apiPort = FreeTcpPort.Next();
        ApiUrl = $"http://127.0.0.1:{apiPort}";
        var config = Path.Combine(_directory.FullName, "concentrator.conf");
        File.WriteAllText(config, $"{hocon}\nconcentrator.api.port = {apiPort}\nconcentrator.leases.store = \"sqlite:leases.db\"\n");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory.FullName,
        };
        foreach (var arg in new[] { ExecutablePath, "serve", "--config", config })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment.Remove("NOTIFY_SOCKET");
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        try
        {
            _process.Start();
        }
        catch
        {
            _process.Dispose();
            _directory.Dispose();
            throw;
        }

        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>concentrator.dll in the daemon project's own output directory (the build puts its path in this assembly).</summary>
    public static string ExecutablePath { get; } = typeof(Daemon).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "ConcentratorDll").Value!;

    /// <summary>Its management API and dashboard, "http://127.0.0.1:PORT" (no trailing slash).</summary>
    public string ApiUrl { get; }

    public bool HasExited => _process.HasExited;

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

    /// <summary>Waits until its output has a line matching <paramref name="pattern"/> (a regex) and returns the match.</summary>
    public async Task<Match> WaitForOutputAsync(string pattern, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var match = Regex.Match(Output, pattern, RegexOptions.Multiline);
            if (match.Success)
            {
                return match;
            }

            if (HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{(HasExited ? "the daemon exited" : "timed out")} before a line matched '{pattern}':\n{Output}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Waits until <paramref name="ports"/> are online and the API answers.</summary>
    public async Task WaitReadyAsync(params string[] ports)
    {
        foreach (var port in ports)
        {
            await WaitForOutputAsync($"port {Regex.Escape(port)}: online");
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                if ((await http.GetAsync(new Uri(ApiUrl + "/api/ports"))).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not serving yet
            }

            if (HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the API did not answer:\n{Output}");
            }

            await Task.Delay(50);
        }
    }

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

    public void Dispose()
    {
        ChildProcesses.KillAndDispose(_process);
        _directory.Dispose();
    }
}
