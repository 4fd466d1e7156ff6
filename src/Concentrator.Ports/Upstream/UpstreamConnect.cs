using System.Net.Sockets;
using Concentrator.Devices;

namespace Concentrator.Ports.Upstream;

/// <summary>Connecting to an upstream server, with failures worded for the port view (refused, timed out, unknown host).</summary>
internal static class UpstreamConnect
{
    /// <exception cref="DeviceFaultException">The reason, e.g. "connection refused by bmc:623".</exception>
    public static Socket Open(string host, int port, TimeSpan timeout)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            socket.ConnectAsync(host, port, cts.Token).AsTask().GetAwaiter().GetResult();
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            // An upstream that died without a word (power cut, cable) goes offline in about a minute, not after two hours.
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, 30);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 10);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 3);
            return socket;
        }
        catch (OperationCanceledException)
        {
            socket.Dispose();
            throw new DeviceFaultException($"timed out connecting to {host}:{port} (after {timeout.TotalSeconds:0} s)");
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new DeviceFaultException($"{Describe(e)} ({host}:{port})", e);
        }
    }

    /// <summary>A short reason for the port view.</summary>
    public static string Describe(Exception e) => e switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused",
        SocketException { SocketErrorCode: SocketError.TimedOut } => "timed out",
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } => "host not found",
        SocketException { SocketErrorCode: SocketError.HostUnreachable or SocketError.NetworkUnreachable } => "host unreachable",
        SocketException { SocketErrorCode: SocketError.ConnectionReset } => "connection reset",
        ObjectDisposedException => "closed",
        _ => e.Message,
    };
}
