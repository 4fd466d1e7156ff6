using System.Net;
using System.Net.Sockets;

namespace Concentrator.Testing;

/// <summary>Picks TCP ports that are free on 127.0.0.1 right now.</summary>
public static class FreeTcpPort
{
    /// <summary>Binds 127.0.0.1:0, reads the port the OS chose, closes the socket and returns the port.</summary>
    public static int Next()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
