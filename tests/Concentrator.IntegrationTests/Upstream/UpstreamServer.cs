using System.Globalization;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Upstream;

/// <summary>
/// A real upstream a port can aggregate: ser2net 4.x (RFC 2217 or raw tcp) or socat, each serving a
/// <see cref="VirtualSerialDevice"/> on 127.0.0.1. <see cref="Restart"/> kills it and starts it again on the same
/// port, as a terminal server reboot would.
/// </summary>
public sealed class UpstreamServer : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private readonly string _file;
    private readonly string[] _args;
    private readonly string? _config;
    private RunningProcess _process;

    private UpstreamServer(string file, string[] args, int port, string? config)
    {
        _file = file;
        _args = args;
        Port = port;
        _config = config;
        _process = StartListening();
    }

    public int Port { get; }

    public RunningProcess Process => _process;

    /// <summary>ser2net with one connection: <c>telnet(rfc2217),tcp</c> (or plain tcp) on 127.0.0.1, the pty as its serialdev.</summary>
    public static UpstreamServer Ser2net(VirtualSerialDevice device, bool rfc2217 = true)
    {
        ArgumentNullException.ThrowIfNull(device);
        var port = FreeTcpPort.Next();
        var config = Path.Combine(Path.GetTempPath(), $"ser2net-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(config, string.Create(CultureInfo.InvariantCulture,
            $"%YAML 1.1\n---\nconnection: &up\n  accepter: {(rfc2217 ? "telnet(rfc2217)," : "")}tcp,127.0.0.1,{port}\n" +
            $"  connector: serialdev,{device.SlavePath},115200n81,local\n  options:\n    max-connections: 1\n    chardelay: false\n"));
        // -n: foreground, -d: debug to stdout, -u: no UUCP lock files, -P: no pid file in /run.
        return new UpstreamServer("/usr/sbin/ser2net", ["-n", "-d", "-u", "-P", config + ".pid", "-c", config], port, config);
    }

    /// <summary><c>socat TCP-LISTEN FILE:pty,raw,echo=0</c>: a bare TCP upstream.</summary>
    public static UpstreamServer Socat(VirtualSerialDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var port = FreeTcpPort.Next();
        return new UpstreamServer("socat", [$"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork", $"FILE:{device.SlavePath},raw,echo=0"], port, null);
    }

    /// <summary>Kills the server and starts it again on the same port.</summary>
    public void Restart()
    {
        _process.Dispose();
        _process = StartListening();
    }

    /// <summary>Kills the server (connections drop) without starting it again.</summary>
    public void Stop() => _process.Dispose();

    private RunningProcess StartListening()
    {
        var process = RunningProcess.Start(_file, _args);
        try
        {
            Eventually.True(() => IsListening(Port) || process.HasExited, StartTimeout,
                () => $"{_file} did not listen on {Port}: {process.Output}");
            Assert.False(process.HasExited, $"{_file} exited: {process.Output}");
            return process;
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>True when something listens on 127.0.0.1:<paramref name="port"/> (read from /proc/net/tcp, no connection made).</summary>
    public static bool IsListening(int port)
    {
        var local = $"0100007F:{port:X4}";
        return File.ReadLines("/proc/net/tcp").Skip(1)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Any(f => f.Length > 3 && f[1] == local && f[3] == "0A");
    }

    public void Dispose()
    {
        _process.Dispose();
        if (_config is not null)
        {
            File.Delete(_config);
            File.Delete(_config + ".pid");
        }
    }
}
