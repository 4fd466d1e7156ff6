using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Concentrator.Testing;

namespace Concentrator.Bench;

/// <summary>One running server (one or more processes) with its own virtual devices and TCP ports.</summary>
internal sealed class ServerInstance : IDisposable
{
    private readonly List<ManagedProcess> _processes = [];
    private readonly List<VirtualSerialDevice> _devices = [];
    private readonly List<string> _tempFiles = [];
    private readonly List<int> _ports = [];
    private readonly List<IDisposable> _adopted = [];
    private readonly HashSet<VirtualSerialDevice> _borrowed = [];

    public IReadOnlyList<VirtualSerialDevice> Devices => _devices;

    public IReadOnlyList<int> TcpPorts => _ports;

    /// <summary>Our daemon's management API port (0 for other servers).</summary>
    public int ApiPort { get; set; }

    /// <summary>The process whose CPU and memory are measured (the daemon; the first socat).</summary>
    public int MainPid => _processes[0].Id;

    /// <summary>The main process's recent output (daemon log, ser2net debug output).</summary>
    public string Log => _processes.Count == 0 ? "" : _processes[0].Output;

    public void AddDevice(VirtualSerialDevice device, int tcpPort)
    {
        _devices.Add(device);
        _ports.Add(tcpPort);
    }

    /// <summary>A device another (adopted) server owns, served here on <paramref name="tcpPort"/> (an upstream hop).</summary>
    public void AddBorrowedDevice(VirtualSerialDevice device, int tcpPort)
    {
        AddDevice(device, tcpPort);
        _borrowed.Add(device);
    }

    /// <summary>Another server this one stands in front of: disposed after this one's processes.</summary>
    public void Adopt(IDisposable inner) => _adopted.Add(inner);

    public void AddProcess(ManagedProcess process) => _processes.Add(process);

    public void AddTempFile(string path) => _tempFiles.Add(path);

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            p.Dispose();
        }

        foreach (var d in _devices.Where(d => !_borrowed.Contains(d)))
        {
            d.Dispose();
        }

        foreach (var inner in _adopted)
        {
            inner.Dispose();
        }

        foreach (var f in _tempFiles)
        {
            try
            {
                File.Delete(f);
            }
            catch (IOException)
            {
            }
        }
    }
}

/// <summary>How to start one kind of server with N ports.</summary>
internal sealed record ServerSpec(string Key, string Title, bool MultiClient, Func<int, ServerInstance> Start);

internal static partial class Servers
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Our daemon: <c>dotnet concentrator.dll serve --config FILE</c>, one port per device, listeners of <paramref name="protocol"/>.</summary>
    /// <param name="portKeys">More keys for every port (e.g. <c>recording = all</c>).</param>
    /// <param name="sections">More of <c>concentrator { }</c> (e.g. a recordings directory).</param>
    public static ServerInstance StartConcentrator(string daemonDll, int portCount, string protocol, int maxSessions,
        IReadOnlyDictionary<string, string>? environment = null, string portKeys = "", string sections = "")
    {
        var server = new ServerInstance();
        try
        {
            // Per-source limits off: every bench client comes from 127.0.0.1 (up to 100 at once), as with ser2net.
            var hocon = new StringBuilder("concentrator {\n  security { max-connections-per-source = 0, accept-rate-per-source = 0 }\n  ports {\n");
            for (var i = 0; i < portCount; i++)
            {
                var device = VirtualSerialDevice.CreateTemp("bench-ours");
                var tcp = DistinctPort(server);
                server.AddDevice(device, tcp);
                hocon.Append(CultureInfo.InvariantCulture,
                    $"    p{i} {{\n      device = \"{device.LinkPath}\"\n      baud = 115200\n      max-sessions = {maxSessions}\n" +
                    $"      listeners = [ {{ port = {tcp}, bind = \"127.0.0.1\", protocol = {protocol} }} ]\n{portKeys}    }}\n");
            }

            hocon.Append("  }\n");
            // Our own free port for the management API, so a daemon already running on 7900 does not stop the bench.
            server.ApiPort = DistinctPort(server);
            // The audit trail to a temp file: a bench never writes into the user's state directory.
            var audit = Path.Combine(Path.GetTempPath(), $"bench-audit-{Guid.NewGuid():N}.jsonl");
            server.AddTempFile(audit);
            hocon.Append(CultureInfo.InvariantCulture, $"  api {{ port = {server.ApiPort} }}\n  audit {{ file = \"{audit}\" }}\n{sections}}}\n");
            var config = Path.Combine(Path.GetTempPath(), $"bench-concentrator-{Guid.NewGuid():N}.conf");
            File.WriteAllText(config, hocon.ToString());
            server.AddTempFile(config);
            var process = ManagedProcess.Start("dotnet", [daemonDll, "serve", "--config", config], environment);
            server.AddProcess(process);
            process.WaitUntil(o => OnlineRegex().Matches(o).Select(m => m.Groups[1].Value).Distinct().Count() >= portCount,
                StartTimeout, $"'port pN: online' for all {portCount} port(s)");
            ProcFs.WaitListening(server.TcpPorts, process, StartTimeout);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>ser2net 4.x with a YAML config: one connection per device, tcp accepter on 127.0.0.1 (or telnet(rfc2217),tcp).</summary>
    public static ServerInstance StartSer2net(string ser2net, int portCount, bool chardelay, int maxConnections, bool rfc2217 = false)
    {
        var server = new ServerInstance();
        try
        {
            var yaml = new StringBuilder("%YAML 1.1\n---\n");
            for (var i = 0; i < portCount; i++)
            {
                var device = VirtualSerialDevice.CreateTemp("bench-ser2net");
                var tcp = DistinctPort(server);
                server.AddDevice(device, tcp);
                yaml.Append(CultureInfo.InvariantCulture,
                    $"connection: &p{i}\n  accepter: {(rfc2217 ? "telnet(rfc2217)," : "")}tcp,127.0.0.1,{tcp}\n  connector: serialdev,{device.SlavePath},115200n81,local\n" +
                    $"  options:\n    max-connections: {maxConnections}\n");
                if (!chardelay)
                {
                    yaml.Append("    chardelay: false\n");
                }

                yaml.Append('\n');
            }

            var config = Path.Combine(Path.GetTempPath(), $"bench-ser2net-{Guid.NewGuid():N}.yaml");
            var pidFile = Path.Combine(Path.GetTempPath(), $"bench-ser2net-{Guid.NewGuid():N}.pid");
            File.WriteAllText(config, yaml.ToString());
            server.AddTempFile(config);
            server.AddTempFile(pidFile);
            // -n: foreground, -d: debug to stdout, -u: no UUCP lock files, -P: our own pid file.
            var process = ManagedProcess.Start(ser2net, ["-n", "-d", "-u", "-P", pidFile, "-c", config]);
            server.AddProcess(process);
            ProcFs.WaitListening(server.TcpPorts, process, StartTimeout);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>The floor: one <c>socat TCP-LISTEN FILE:pty,raw,echo=0</c> per device (one client, no fan-out).</summary>
    public static ServerInstance StartSocat(string socat, int portCount)
    {
        var server = new ServerInstance();
        try
        {
            for (var i = 0; i < portCount; i++)
            {
                var device = VirtualSerialDevice.CreateTemp("bench-socat");
                var tcp = DistinctPort(server);
                server.AddDevice(device, tcp);
                var process = ManagedProcess.Start(socat,
                    [$"TCP-LISTEN:{tcp},bind=127.0.0.1,reuseaddr", $"FILE:{device.SlavePath},raw,echo=0"]);
                server.AddProcess(process);
                ProcFs.WaitListening([tcp], process, StartTimeout);
            }

            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>FreeTcpPort.Next() can hand out the same port twice in a row; keep the ports of one server distinct.</summary>
    private static int DistinctPort(ServerInstance server)
    {
        while (true)
        {
            var port = FreeTcpPort.Next();
            if (!server.TcpPorts.Contains(port))
            {
                return port;
            }
        }
    }

    [GeneratedRegex(@"port (p\d+): online")]
    private static partial Regex OnlineRegex();
}
