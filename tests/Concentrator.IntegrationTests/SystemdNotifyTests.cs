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
            """, new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath }, workingDirectory: "/"));

        // Probe the listener through start-up until READY=1 arrives. The invariant a unit ordered After= this service
        // relies on: once READY=1 has arrived, a connection succeeds at the first attempt. Probes before it may fail
        // or not; after one has succeeded there is no need for more (the daemon never unbinds while starting), and
        // each would become a session counted against max-sessions.
        var deadline = DateTime.UtcNow + Timeout;
        var listening = false;
        string? ready = null;
        while (ready is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "no READY=1 in time:\n" + daemon.Output);
            Assert.False(daemon.HasExited, "the daemon exited:\n" + daemon.Output);
            if (manager.Available > 0)
            {
                ready = Receive(manager);
            }
            else if (!listening)
            {
                listening = TryConnect(tcp);
            }
            else
            {
                Thread.Sleep(5);
            }
        }

        TcpClientSession client;
        try
        {
            client = Track(TcpClientSession.Connect(tcp));
        }
        catch (SocketException e)
        {
            throw new Xunit.Sdk.XunitException($"READY=1 had arrived, yet a connection failed ({e.SocketErrorCode}):\n{daemon.Output}");
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
    public void Started_in_the_root_directory_as_systemd_does_it_does_not_watch_the_whole_file_system()
    {
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.root { device = "sim:echo", listeners = [ { port = {{tcp}}, protocol = raw } ] }
            """, new Dictionary<string, string>(), workingDirectory: "/"));
        daemon.WaitOnline("root");

        // The host's content root (where appsettings.json would be watched for changes, recursively) is the directory
        // of the executable, not the working directory: from / it used to put ~47,000 inotify watches on /proc, /sys
        // and the rest, which took seconds and fails outright where fs.inotify.max_user_watches is 8192. What is left
        // is that directory's tree (a few dozen in a build output, one for a single-file publish).
        var watches = Directory.GetFiles($"/proc/{daemon.ProcessId}/fdinfo").Sum(InotifyWatches);
        Assert.InRange(watches, 0, 500);
    }

    /// <summary>The inotify watches behind one file descriptor (/proc/PID/fdinfo/FD); 0 for one closed meanwhile.</summary>
    private static int InotifyWatches(string fdinfo)
    {
        try
        {
            return File.ReadAllLines(fdinfo).Count(line => line.StartsWith("inotify wd:", StringComparison.Ordinal));
        }
        catch (IOException) // FileNotFoundException included
        {
            return 0;
        }
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

    private static bool TryConnect(int tcp)
    {
        try
        {
            using var probe = TcpClientSession.Connect(tcp);
            return true;
        }
        catch (SocketException)
        {
            Thread.Sleep(5); // not listening yet
            return false;
        }
    }

    private static string Receive(Socket manager)
    {
        var buffer = new byte[4096];
        manager.ReceiveTimeout = (int)Timeout.TotalMilliseconds;
        var count = manager.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, count);
    }
}
