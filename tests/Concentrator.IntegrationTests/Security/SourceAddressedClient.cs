using System.Net;
using System.Net.Sockets;

namespace Concentrator.IntegrationTests.Security;

/// <summary>TCP clients from a chosen loopback address (127.0.0.2..255 are distinct sources to the daemon).</summary>
public static class SourceAddressedClient
{
    public static Socket Connect(string source, int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
            socket.Connect(IPAddress.Loopback, port);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>True when the server closed (or reset) the connection within the timeout without sending anything.</summary>
    public static bool ClosedWithoutData(Socket socket, TimeSpan timeout)
    {
        socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        try
        {
            return socket.Receive(new byte[256]) == 0;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>True when the server closed (or reset) the connection within the timeout, whatever it said first (a TLS alert, say).</summary>
    public static bool Closed(Socket socket, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var buffer = new byte[4096];
        while (DateTime.UtcNow < deadline)
        {
            socket.ReceiveTimeout = Math.Max(1, (int)(deadline - DateTime.UtcNow).TotalMilliseconds);
            try
            {
                if (socket.Receive(buffer) == 0)
                {
                    return true;
                }
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }

        return false;
    }
}
