using System.Net.Sockets;
using System.Text;

namespace Concentrator.IntegrationTests;

/// <summary>A plain TCP client for tests: connect, send, read exactly / until text, with timeouts.</summary>
public sealed class TcpClientSession : IDisposable
{
    private readonly Socket _socket;
    private readonly List<byte> _pending = [];

    private TcpClientSession(Socket socket) => _socket = socket;

    public static TcpClientSession Connect(int port, string host = "127.0.0.1")
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(host, port);
        return new TcpClientSession(socket);
    }

    /// <summary>Connects from <paramref name="localAddress"/> (e.g. 127.0.0.2: another machine, as the daemon sees it).</summary>
    public static TcpClientSession ConnectFrom(string localAddress, int port, string host = "127.0.0.1")
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Parse(localAddress), 0));
        socket.Connect(host, port);
        return new TcpClientSession(socket);
    }

    public Socket Socket => _socket;

    public void Send(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            data = data[_socket.Send(data)..];
        }
    }

    public void Send(string text) => Send(Encoding.UTF8.GetBytes(text));

    public Task SendAsync(byte[] data) => _socket.SendAsync(data, SocketFlags.None);

    /// <summary>Reads exactly <paramref name="count"/> bytes or throws on timeout / close.</summary>
    public byte[] ReadExactly(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var buffer = new byte[64 * 1024];
        while (_pending.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"read {_pending.Count} of {count} bytes");
            }

            _socket.ReceiveTimeout = Math.Max(1, (int)left.TotalMilliseconds);
            int n;
            try
            {
                n = _socket.Receive(buffer);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                throw new TimeoutException($"read {_pending.Count} of {count} bytes");
            }

            if (n == 0)
            {
                throw new IOException($"connection closed after {_pending.Count} of {count} bytes");
            }

            _pending.AddRange(buffer.AsSpan(0, n));
        }

        var result = _pending.GetRange(0, count).ToArray();
        _pending.RemoveRange(0, count);
        return result;
    }

    /// <summary>Reads until the received text contains <paramref name="expected"/>; returns everything read so far.</summary>
    public string ReadUntil(string expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var buffer = new byte[4096];
        while (true)
        {
            // Latin-1 maps each byte to one char, so telnet's IAC bytes cannot shift the offsets.
            var text = Encoding.Latin1.GetString(_pending.ToArray());
            var at = text.IndexOf(expected, StringComparison.Ordinal);
            if (at >= 0)
            {
                _pending.RemoveRange(0, at + expected.Length);
                return text[..(at + expected.Length)];
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"did not receive '{expected}'; got: '{text}'");
            }

            _socket.ReceiveTimeout = Math.Max(1, (int)left.TotalMilliseconds);
            int n;
            try
            {
                n = _socket.Receive(buffer);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                continue;
            }

            if (n == 0)
            {
                throw new IOException($"connection closed before '{expected}'; got: '{text}'");
            }

            _pending.AddRange(buffer.AsSpan(0, n));
        }
    }

    /// <summary>True when the server closed the connection within the timeout.</summary>
    public bool WaitClosed(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var buffer = new byte[4096];
        while (DateTime.UtcNow < deadline)
        {
            _socket.ReceiveTimeout = Math.Max(1, (int)(deadline - DateTime.UtcNow).TotalMilliseconds);
            try
            {
                var n = _socket.Receive(buffer);
                if (n == 0)
                {
                    return true;
                }

                _pending.AddRange(buffer.AsSpan(0, n));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                return false;
            }
            catch (SocketException)
            {
                return true;
            }
        }

        return false;
    }

    public string PendingText => Encoding.Latin1.GetString(_pending.ToArray());

    public void Dispose() => _socket.Dispose();
}
