using System.Globalization;
using System.Text;

namespace Concentrator.Bench;

/// <summary>
/// The upstream hop (issue 25): our port whose device is <c>rfc2217://</c> on a ser2net port (the bench client speaks
/// raw TCP to us; we speak RFC 2217 to ser2net; ser2net drives the pty), beside a telnet client of an identical ser2net
/// directly. Latency and throughput both ways on the same pty-backed device kind, so "ours / ser2net" is the hop's cost.
/// </summary>
internal static class UpstreamBench
{
    public static int Run(BenchOptions o, Report report, string daemon, string? ser2net)
    {
        if (ser2net is null)
        {
            Console.Error.WriteLine("bench: --upstream needs ser2net");
            return 1;
        }

        var direct = new ServerSpec("ser2net", "ser2net telnet(rfc2217) chardelay=false, direct", false,
            _ => Servers.StartSer2net(ser2net, 1, chardelay: false, 1, rfc2217: true));
        var hop = new ServerSpec("concentrator", "concentrator port on rfc2217:// → the same kind of ser2net", false,
            _ => StartOverSer2net(daemon, ser2net));
        Program.SinglePort(o, report, direct, "up-", telnet: true);
        Program.SinglePort(o, report, hop, "up-", telnet: false);
        Console.WriteLine();
        Console.WriteLine(report.Markdown(o, ["concentrator", "ser2net"], onlyPrefix: "up-"));
        return report.Failures == 0 ? 0 : 3;
    }

    /// <summary>ser2net (RFC 2217, one connection) on a pty, and our daemon with one port whose device is that ser2net port.</summary>
    private static ServerInstance StartOverSer2net(string daemon, string ser2net)
    {
        var upstream = Servers.StartSer2net(ser2net, 1, chardelay: false, 1, rfc2217: true);
        var server = new ServerInstance();
        server.Adopt(upstream);
        try
        {
            var tcp = FreePort(upstream);
            server.ApiPort = FreePort(upstream, tcp);
            var hocon = new StringBuilder();
            hocon.Append(CultureInfo.InvariantCulture, $$"""
                concentrator {
                  ports.p0 {
                    device = "rfc2217://127.0.0.1:{{upstream.TcpPorts[0]}}"
                    baud = 115200
                    listeners = [ { port = {{tcp}}, bind = "127.0.0.1", protocol = raw } ]
                  }
                  api { port = {{server.ApiPort}} }
                }
                """);
            var config = Path.Combine(Path.GetTempPath(), $"bench-upstream-{Guid.NewGuid():N}.conf");
            File.WriteAllText(config, hocon.ToString());
            server.AddTempFile(config);
            var process = ManagedProcess.Start("dotnet", [daemon, "serve", "--config", config]);
            server.AddProcess(process);
            server.AddBorrowedDevice(upstream.Devices[0], tcp);
            process.WaitUntil(output => output.Contains("port p0: online", StringComparison.Ordinal), TimeSpan.FromSeconds(90), "'port p0: online'");
            ProcFs.WaitListening([tcp], process, TimeSpan.FromSeconds(90));
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    private static int FreePort(ServerInstance other, int not = 0)
    {
        while (true)
        {
            var port = Concentrator.Testing.FreeTcpPort.Next();
            if (port != not && !other.TcpPorts.Contains(port))
            {
                return port;
            }
        }
    }
}
