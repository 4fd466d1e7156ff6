using System.Net.Sockets;
using System.Text;
using Concentrator.Hosting;
using Concentrator.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Concentrator.IntegrationTests;

/// <summary>
/// The sd_notify protocol of a <c>Type=notify</c> unit (packaging/systemd/concentrator.service), proven without
/// systemd: the test plays the service manager, with its own datagram socket named by <c>NOTIFY_SOCKET</c>.
/// </summary>
public sealed class SystemdNotifyTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void Ready_comes_only_once_the_listener_serves_and_stopping_on_sigterm()
    {
        var dir = Track(new TempDirectory("concentrator-notify-"));
        var socketPath = Path.Combine(dir.FullName, "notify");
        var manager = Track(new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified));
        manager.Bind(new UnixDomainSocketEndPoint(socketPath));
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.svc { device = "sim:echo", listeners = [ { port = {{tcp}}, protocol = raw } ] }
            """, new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath }));

        // Probe the listener through the whole start-up. The invariant a unit ordered After= this service relies on:
        // once READY=1 has arrived, a connection succeeds at the first attempt. Probes before it may fail or not.
        var deadline = DateTime.UtcNow + Timeout;
        string? ready = null;
        TcpClientSession? client = null;
        while (client is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "no READY=1 and a connection in time:\n" + daemon.Output);
            Assert.False(daemon.HasExited, "the daemon exited:\n" + daemon.Output);
            if (ready is null && manager.Available > 0)
            {
                ready = Receive(manager);
            }

            try
            {
                var probe = TcpClientSession.Connect(tcp);
                if (ready is null)
                {
                    probe.Dispose();
                }
                else
                {
                    client = Track(probe);
                }
            }
            catch (SocketException e)
            {
                Assert.True(ready is null, $"READY=1 had arrived, yet a connection failed ({e.SocketErrorCode}):\n{daemon.Output}");
                Thread.Sleep(5); // not listening yet, and not ready yet either
            }
        }

        Assert.Equal("READY=1", ready);
        Assert.Equal(0, manager.Available); // one notification for the start, not a stream of them

        // Ready means served: the session is admitted and bytes go through once the device is up.
        daemon.WaitOnline("svc");
        client.Send("ping");
        Assert.Equal("ping", Encoding.ASCII.GetString(client.ReadExactly(4, Timeout)));

        Assert.Equal(0, daemon.Terminate());
        Assert.Equal("STOPPING=1", Receive(manager));
        Assert.Equal(0, manager.Available);
    }

    [Fact]
    public void Without_NOTIFY_SOCKET_nothing_is_registered()
    {
        // Daemons started by the tests never inherit NOTIFY_SOCKET (DaemonProcess); this process must not have it either.
        Environment.SetEnvironmentVariable(SystemdNotify.SocketVariable, null);
        var services = new ServiceCollection();

        services.AddSystemdNotify();

        Assert.Empty(services);
    }

    private static string Receive(Socket manager)
    {
        var buffer = new byte[4096];
        manager.ReceiveTimeout = (int)Timeout.TotalMilliseconds;
        var count = manager.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, count);
    }
}
