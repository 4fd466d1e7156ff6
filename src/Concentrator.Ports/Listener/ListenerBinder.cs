using System.Net.Sockets;
using Concentrator.Ports.Configuration;

namespace Concentrator.Ports.Listener;

/// <summary>
/// Binds every configured listener before the actor system starts, so an address already in use is reported
/// (naming the port and address) and the daemon exits before it serves anything half-way.
/// </summary>
public static class ListenerBinder
{
    /// <summary>Listening sockets per port name, in the order of each port's listeners.</summary>
    public sealed record BoundListeners(IReadOnlyDictionary<string, IReadOnlyList<Socket>> ByPort) : IDisposable
    {
        /// <summary>The SSH-entry Unix socket, when security.ssh-entry-socket is set.</summary>
        public Socket? SshEntry { get; init; }

        public void Dispose()
        {
            SshEntry?.Dispose();
            foreach (var socket in ByPort.Values.SelectMany(s => s))
            {
                socket.Dispose();
            }
        }
    }

    public static BoundListeners BindAll(ConcentratorSettings settings)
    {
        var result = new Dictionary<string, IReadOnlyList<Socket>>();
        Socket? sshEntry = null;
        try
        {
            foreach (var port in settings.Ports)
            {
                var sockets = new List<Socket>();
                result[port.Name] = sockets;
                foreach (var listener in port.Listeners)
                {
                    sockets.Add(Bind(port, listener));
                }
            }

            if (settings.SecurityOrDefault is { SshEntrySocket: { } path } security)
            {
                try
                {
                    sshEntry = Security.SshEntrySocket.Bind(path, security.SshEntryGroup);
                }
                catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException or PlatformNotSupportedException)
                {
                    throw new ListenerBindException($"security.ssh-entry-socket: cannot listen on {path}: {e.Message}", e);
                }
            }
        }
        catch
        {
            new BoundListeners(result) { SshEntry = sshEntry }.Dispose();
            throw;
        }

        return new BoundListeners(result) { SshEntry = sshEntry };
    }

    /// <summary>
    /// Like every TCP server: a restart must not wait out TIME_WAIT of the previous run's connections. Only plain
    /// SO_REUSEADDR: .NET's ReuseAddress also sets SO_REUSEPORT on Linux, which would let a second daemon bind the
    /// same port silently and split the clients between the two.
    /// </summary>
    private static void AllowRestartDuringTimeWait(Socket socket)
    {
        if (OperatingSystem.IsLinux())
        {
            socket.SetRawSocketOption(1 /* SOL_SOCKET */, 2 /* SO_REUSEADDR */, BitConverter.GetBytes(1));
        }
        else if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            socket.SetRawSocketOption(0xFFFF /* SOL_SOCKET */, 4 /* SO_REUSEADDR */, BitConverter.GetBytes(1));
        }

        // Windows: the default already allows a restart, and its SO_REUSEADDR would allow port stealing.
    }

    /// <summary>Binds one listener (also used at run time by discovery).</summary>
    public static Socket Bind(PortSettings port, ListenerSettings listener) => listener.IsDatagram
        ? BindDatagram(listener.EndPoint, $"port '{port.Name}'")
        : Bind(listener.EndPoint, $"port '{port.Name}'", ListenerSettings.ProtocolName(listener.Protocol));

    /// <summary>Binds a UDP socket (no SO_REUSEADDR: two daemons must not share one, nor is there a TIME_WAIT to wait out).</summary>
    private static Socket BindDatagram(System.Net.IPEndPoint endPoint, string owner)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Blocking = false; // a peer's SendNow on the device reader's thread must never wait for a full buffer
            socket.Bind(endPoint);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ListenerBindException($"{owner}: cannot listen on {endPoint} (udp): {e.Message}", e);
        }
    }

    /// <summary>
    /// Binds and listens on <paramref name="endPoint"/>; a failure names <paramref name="owner"/> (e.g. "port 'lab'",
    /// "api") and <paramref name="protocol"/>, like every bind error the daemon reports.
    /// </summary>
    public static Socket Bind(System.Net.IPEndPoint endPoint, string owner, string protocol)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            AllowRestartDuringTimeWait(socket);
            socket.Bind(endPoint);
            socket.Listen(128);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ListenerBindException($"{owner}: cannot listen on {endPoint} ({protocol}): {e.Message}", e);
        }
    }
}

/// <summary>A configured listener could not be bound.</summary>
public sealed class ListenerBindException(string message, Exception inner) : Exception(message, inner);
