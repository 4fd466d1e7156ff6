using Concentrator.IntegrationTests;
using Concentrator.Testing;

namespace Concentrator.Client.Tests;

/// <summary>The real daemon serving one virtual serial device over RFC 2217 on a free port; restartable.</summary>
public sealed class RemotePort : IDisposable
{
    private readonly string _hocon;

    public RemotePort(int baud = 9600, string extra = "")
    {
        Device = VirtualSerialDevice.CreateTemp("client-remote");
        TcpPort = FreeTcpPort.Next();
        _hocon = $$"""
            concentrator {
              ports {
                remote {
                  device = "{{Device.LinkPath}}"
                  baud = {{baud}}
                  {{extra}}
                  listeners = [ { port = {{TcpPort}}, protocol = rfc2217 } ]
                }
              }
            }
            """;
        Daemon = Start();
    }

    public VirtualSerialDevice Device { get; }

    public int TcpPort { get; }

    public string Address => $"127.0.0.1:{TcpPort}";

    public DaemonProcess Daemon { get; private set; }

    /// <summary>Kills the daemon (no clean shutdown) and starts it again on the same TCP port.</summary>
    public void Restart()
    {
        Daemon.Dispose();
        Daemon = Start();
    }

    private DaemonProcess Start()
    {
        var daemon = DaemonProcess.Start(_hocon);
        daemon.WaitOnline("remote");
        return daemon;
    }

    public void Dispose()
    {
        Daemon.Dispose();
        Device.Dispose();
    }
}

/// <summary>Polling helper for conditions that become true within a deadline.</summary>
internal static class Eventually
{
    public static void True(Func<bool> condition, TimeSpan timeout, Func<string> explain)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail(explain());
            }

            Thread.Sleep(25);
        }
    }
}
