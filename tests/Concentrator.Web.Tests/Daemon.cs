using Concentrator.Testing;
using System.Text.RegularExpressions;

namespace Concentrator.Web.Tests;

/// <summary>
/// The real <c>concentrator serve</c> (a <see cref="DaemonProcess"/>, its dll named by this assembly's
/// <c>[AssemblyMetadata("ConcentratorDll")]</c>), run in a temp directory of its own that also holds its lease store;
/// what it prints is kept for failure messages. Killed on dispose. Adds the web tests' readiness: ports online and
/// the API answering.
/// </summary>
public sealed class Daemon : IDisposable
{
    private readonly TempDirectory _directory = new("web-daemon-");
    private readonly DaemonProcess _daemon;

    /// <summary>Starts it with <paramref name="hocon"/> plus its API on a free loopback port (<see cref="ApiUrl"/>).</summary>
    public Daemon(string hocon)
    {
        try
        {
            _daemon = DaemonProcess.Start($"{hocon}\nconcentrator.leases.store = \"sqlite:leases.db\"\n", new Dictionary<string, string>(),
                _directory.FullName);
        }
        catch
        {
            _directory.Dispose();
            throw;
        }
    }

    /// <summary>Its management API and dashboard, "http://127.0.0.1:PORT" (no trailing slash).</summary>
    public string ApiUrl => $"http://127.0.0.1:{_daemon.ApiPort}";

    public bool HasExited => _daemon.HasExited;

    public string Output => _daemon.Output;

    /// <summary>Waits until its output has a line matching <paramref name="pattern"/> (a regex) and returns the match.</summary>
    public Task<Match> WaitForOutputAsync(string pattern, TimeSpan? timeout = null) =>
        _daemon.WaitForAsync(pattern, timeout ?? TimeSpan.FromSeconds(30));

    /// <summary>Waits until <paramref name="ports"/> are online and the API answers.</summary>
    public async Task WaitReadyAsync(params string[] ports)
    {
        foreach (var port in ports)
        {
            await WaitForOutputAsync($"port {Regex.Escape(port)}: online");
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.TrueAsync(async () =>
        {
            if (HasExited)
            {
                throw new InvalidOperationException($"the daemon exited before its API answered:\n{Output}");
            }

            try
            {
                return (await http.GetAsync(new Uri(ApiUrl + "/api/ports"))).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false; // not serving yet
            }
        }, TimeSpan.FromSeconds(30), () => $"the API did not answer:\n{Output}");
    }

    public void Dispose()
    {
        _daemon.Dispose();
        _directory.Dispose();
    }
}
