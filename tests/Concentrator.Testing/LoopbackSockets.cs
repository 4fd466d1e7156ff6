using System.Net;
using System.Net.Sockets;

namespace Concentrator.Testing;

/// <summary>Real TCP connections on loopback for tests that drive a channel or session without a listener actor.</summary>
public static class LoopbackSockets
{
    /// <summary>A connected pair of loopback TCP sockets: (client, server).</summary>
    public static async Task<(Socket Client, Socket Server)> ConnectedPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        var server = await listener.AcceptAsync();
        return (client, server);
    }
}
