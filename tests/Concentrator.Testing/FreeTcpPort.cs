using System.Net;
using System.Net.Sockets;

namespace Concentrator.Testing;

/// <summary>Picks TCP ports that are free on 127.0.0.1 right now, never one it handed out before in this process.</summary>
public static class FreeTcpPort
{
    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// Binds 127.0.0.1:0, reads the port the OS chose, closes the socket and returns the port, unless this process
    /// already got it (the OS readily hands a just-closed port out again: two calls in a row could return the same one).
    /// </summary>
    public static int Next()
    {
        while (true)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            try
            {
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                lock (HandedOut)
                {
                    if (HandedOut.Add(port))
                    {
                        return port;
                    }
                }
            }
            finally
            {
                listener.Stop();
            }
        }
    }

    /// <summary><paramref name="count"/> different free ports (see <see cref="Next"/>).</summary>
    public static int[] Distinct(int count) => [.. Enumerable.Range(0, count).Select(_ => Next())];
}
