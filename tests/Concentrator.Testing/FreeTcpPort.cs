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

    /// <summary>
    /// <paramref name="count"/> different free ports: each stays bound until all are chosen, so the OS never hands
    /// out one twice (separate <see cref="Next"/> calls may).
    /// </summary>
    public static int[] Distinct(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }
}
