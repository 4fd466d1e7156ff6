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
        try
        {
            Daemon = Start();
        }
        catch
        {
            Device.Dispose(); // xunit never disposes a fixture whose constructor threw: do not leave the link behind
            throw;
        }
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
        try
        {
            daemon.WaitOnline("remote");
        }
        catch
        {
            daemon.Dispose(); // no one else holds it yet: kill it and remove its config file
            throw;
        }

        return daemon;
    }

    public void Dispose()
    {
        Daemon.Dispose();
        Device.Dispose();
    }
}
