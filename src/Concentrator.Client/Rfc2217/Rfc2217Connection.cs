using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Concentrator.Client.Security;
using Concentrator.Telnet;
using Concentrator.Telnet.Rfc2217;

namespace Concentrator.Client.Rfc2217;

/// <summary>The server closed the connection with a plain-text line and no telnet at all: a refusal ("busy").</summary>
public sealed class ServerRefusedException(string message) : Exception(message);

/// <summary>HOST:PORT as given on the command line ([v6]:port accepted).</summary>
public sealed record RemoteEndPoint(string Host, int Port)
{
    public static bool TryParse(string text, out RemoteEndPoint endPoint)
    {
        endPoint = new RemoteEndPoint("", 0);
        var colon = text?.LastIndexOf(':') ?? -1;
        if (text is null || colon <= 0 || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return false;
        }

        endPoint = new RemoteEndPoint(text[..colon].Trim('[', ']'), port);
        return true;
    }

    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

/// <summary>
/// One TCP connection (TLS inside when asked) to a telnet / RFC 2217 server, driven by <see cref="Rfc2217ClientCodec"/>.
/// Sends are serialized; <see cref="RunAsync"/> is the receive loop (data and events go to the callbacks) and ends
/// when the server closes. Plain text that arrives before any telnet command is held back briefly so a one-line
/// refusal ("port ... is busy") is reported as <see cref="ServerRefusedException"/> instead of as data. With a user,
/// <see cref="ConnectAsync"/> answers the server's login prompts before it returns.
/// </summary>
public sealed class Rfc2217Connection : IAsyncDisposable
{
    private static readonly TimeSpan HoldPlainText = TimeSpan.FromMilliseconds(700);
    private const string LoggedInMarker = "[concentrator: logged in as ";
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly Rfc2217ClientCodec _codec = new();
    private readonly Lock _codecLock = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private byte[] _afterLogin = []; // console bytes that came with the end of the login

    private Rfc2217Connection(Socket socket, Stream stream, RemoteEndPoint remote)
    {
        _socket = socket;
        _stream = stream;
        Remote = remote;
    }

    public RemoteEndPoint Remote { get; }

    /// <summary>Whether the server accepted COM-PORT-OPTION.</summary>
    public bool ComPortEnabled
    {
        get
        {
            lock (_codecLock)
            {
                return _codec.ComPortEnabled;
            }
        }
    }

    /// <summary>
    /// Connects, runs the TLS handshake and the login when <paramref name="security"/> asks for them (all within
    /// <paramref name="timeout"/>), and sends the opening negotiation.
    /// </summary>
    public static async Task<Rfc2217Connection> ConnectAsync(RemoteEndPoint remote, TimeSpan timeout, CancellationToken cancellationToken,
        bool comPort = true, ClientSecurity? security = null)
    {
        ArgumentNullException.ThrowIfNull(remote);
        security ??= ClientSecurity.None;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        Stream stream;
        try
        {
            await socket.ConnectAsync(remote.Host, remote.Port, cts.Token).ConfigureAwait(false);
            stream = await security.SecureAsync(new NetworkStream(socket, ownsSocket: false), remote.Host, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new SocketException((int)SocketError.TimedOut);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new Rfc2217Connection(socket, stream, remote);
        try
        {
            var start = new ArrayBufferWriter<byte>();
            lock (connection._codecLock)
            {
                connection._codec.Start(start, comPort);
            }

            await connection.SendRawAsync(start.WrittenMemory, cts.Token).ConfigureAwait(false);
            if (security.User is { } user)
            {
                await connection.LogInAsync(user, security.Password ?? "", cts.Token).ConfigureAwait(false);
            }

            if (security.LeaseToken is { } leaseToken)
            {
                // After the login (a login reads no telnet options), before any input: the server checks it first.
                var present = new ArrayBufferWriter<byte>();
                TelnetFraming.WriteSubnegotiation(present, TelnetOption.ConcentratorLeaseToken, Encoding.ASCII.GetBytes(leaseToken));
                await connection.SendRawAsync(present.WrittenMemory, cts.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new ServerRefusedException($"no login prompt or answer from {remote} within {timeout.TotalSeconds:0} s");
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return connection;
    }

    /// <summary>
    /// Answers <c>login:</c> and <c>Password:</c>, then reads up to the server's "logged in as" line; what follows it is
    /// console output, kept for <see cref="RunAsync"/>. A second prompt means the login failed; a close, a refusal.
    /// Only prompts of a login the server declared (telnet option <see cref="TelnetOption.ConcentratorLogin"/>, which
    /// console output cannot forge) are answered: a <c>login:</c> without it is the console's, and neither the user
    /// name nor the password is typed into the device.
    /// </summary>
    private async Task LogInAsync(string user, string password, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var data = new ArrayBufferWriter<byte>();
        var replies = new ArrayBufferWriter<byte>();
        var events = new List<ServerEvent>();
        var seen = new List<byte>();
        var sentUser = false;
        var sentPassword = false;
        while (true)
        {
            var n = await _stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                var said = Encoding.UTF8.GetString([.. seen]).Replace("\0", "", StringComparison.Ordinal).Trim();
                var last = said.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0) ?? "closed during login";
                throw new ServerRefusedException(sentPassword && last.StartsWith("Login incorrect", StringComparison.Ordinal) ? $"login incorrect for {user}" : last);
            }

            data.Clear();
            replies.Clear();
            events.Clear();
            lock (_codecLock)
            {
                _codec.Receive(buffer.AsSpan(0, n), data, replies, events);
            }

            if (replies.WrittenCount > 0)
            {
                await SendRawAsync(replies.WrittenMemory.ToArray(), cancellationToken).ConfigureAwait(false);
            }

            seen.AddRange(data.WrittenSpan);
            var text = Encoding.Latin1.GetString([.. seen]); // one char per byte: offsets are byte offsets
            var marker = text.IndexOf(LoggedInMarker, StringComparison.Ordinal);
            if (marker >= 0 && text.IndexOf('\n', marker) is var end and >= 0)
            {
                _afterLogin = [.. seen.Skip(end + 1)];
                return;
            }

            bool declared;
            lock (_codecLock)
            {
                declared = _codec.ServerDeclaredLogin;
            }

            if (!declared && (text.EndsWith("login: ", StringComparison.Ordinal) || text.EndsWith("Password: ", StringComparison.Ordinal)))
            {
                throw new ServerRefusedException($"{Remote} asks for no login (the prompt came from the console): the user name and password were not sent");
            }

            if (!sentUser && text.EndsWith("login: ", StringComparison.Ordinal))
            {
                sentUser = true;
                seen.Clear();
                await SendDataAsync(Encoding.UTF8.GetBytes(user + "\r\n"), cancellationToken).ConfigureAwait(false);
            }
            else if (sentUser && !sentPassword && text.EndsWith("Password: ", StringComparison.Ordinal))
            {
                sentPassword = true;
                seen.Clear();
                await SendDataAsync(Encoding.UTF8.GetBytes(password + "\r\n"), cancellationToken).ConfigureAwait(false);
            }
            else if (sentPassword && text.Contains("Login incorrect", StringComparison.Ordinal))
            {
                throw new ServerRefusedException($"login incorrect for {user}");
            }
        }
    }

    /// <summary>Sends data (IAC-escaped).</summary>
    public Task SendDataAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var output = new ArrayBufferWriter<byte>(data.Length + 16);
        lock (_codecLock)
        {
            _codec.EncodeData(data.Span, output);
        }

        return SendRawAsync(output.WrittenMemory, cancellationToken);
    }

    /// <summary>Sends the set fields of <paramref name="change"/> as COM-PORT commands.</summary>
    public Task SetLineAsync(LineChange change, CancellationToken cancellationToken)
    {
        var output = new ArrayBufferWriter<byte>();
        change.WriteCommands(output);
        return SendRawAsync(output.WrittenMemory, cancellationToken);
    }

    /// <summary>Asks for the baud rate in effect (answered with <see cref="BaudRateIs"/>).</summary>
    public Task QueryBaudRateAsync(CancellationToken cancellationToken)
    {
        var output = new ArrayBufferWriter<byte>();
        Rfc2217ClientCodec.SetBaudRate(output, 0);
        return SendRawAsync(output.WrittenMemory, cancellationToken);
    }

    /// <summary>Sends a break: SET-CONTROL BREAK-ON, wait, BREAK-OFF (IAC BRK without COM-PORT-OPTION).</summary>
    public async Task SendBreakAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        var output = new ArrayBufferWriter<byte>();
        if (!ComPortEnabled)
        {
            Rfc2217ClientCodec.TelnetBreak(output);
            await SendRawAsync(output.WrittenMemory, cancellationToken).ConfigureAwait(false);
            return;
        }

        Rfc2217ClientCodec.SetControl(output, ComPortControl.BreakOn);
        await SendRawAsync(output.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await Task.Delay(duration, cancellationToken).ConfigureAwait(false);
        output.Clear();
        Rfc2217ClientCodec.SetControl(output, ComPortControl.BreakOff);
        await SendRawAsync(output.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The receive loop: returns when the server closes the connection (or throws <see cref="SocketException"/> /
    /// <see cref="ServerRefusedException"/>). <paramref name="onData"/> is called on the loop and may block
    /// (back-pressure to the server).
    /// </summary>
    public async Task RunAsync(Action<ReadOnlySpan<byte>> onData, Action<ServerEvent> onEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onData);
        ArgumentNullException.ThrowIfNull(onEvent);
        var buffer = new byte[16384];
        var data = new ArrayBufferWriter<byte>(16384);
        var replies = new ArrayBufferWriter<byte>();
        var events = new List<ServerEvent>();
        var held = new List<byte>();
        var released = false;
        var holdUntil = DateTime.UtcNow + HoldPlainText;
        if (_afterLogin.Length > 0)
        {
            onData(_afterLogin);
            _afterLogin = [];
            released = true;
        }

        var pending = _stream.ReadAsync(buffer, cancellationToken).AsTask();
        while (true)
        {
            if (!released)
            {
                var left = holdUntil - DateTime.UtcNow;
                if (left > TimeSpan.Zero)
                {
                    var done = await Task.WhenAny(pending, Task.Delay(left, cancellationToken)).ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                    if (done != pending)
                    {
                        continue;
                    }
                }
                else
                {
                    released = true;
                    if (held.Count > 0)
                    {
                        onData(held.ToArray());
                        held.Clear();
                    }
                }
            }

            var n = await pending.ConfigureAwait(false);
            if (n == 0)
            {
                if (!released && held.Count > 0)
                {
                    throw new ServerRefusedException(Encoding.UTF8.GetString(held.ToArray()).Trim());
                }

                if (held.Count > 0)
                {
                    onData(held.ToArray());
                }

                return;
            }

            data.Clear();
            replies.Clear();
            events.Clear();
            bool sawTelnet;
            lock (_codecLock)
            {
                _codec.Receive(buffer.AsSpan(0, n), data, replies, events);
                sawTelnet = _codec.SawTelnet;
            }

            if (replies.WrittenCount > 0)
            {
                await SendRawAsync(replies.WrittenMemory.ToArray(), cancellationToken).ConfigureAwait(false);
            }

            if (!released)
            {
                held.AddRange(data.WrittenSpan);
                if (sawTelnet)
                {
                    released = true;
                    if (held.Count > 0)
                    {
                        onData(held.ToArray());
                    }

                    held.Clear();
                }
            }
            else if (data.WrittenCount > 0)
            {
                onData(data.WrittenSpan);
            }

            foreach (var e in events)
            {
                onEvent(e);
            }

            pending = _stream.ReadAsync(buffer, cancellationToken).AsTask();
        }
    }

    /// <summary>Sends already framed COM-PORT commands (built with <see cref="Rfc2217ClientCodec"/>).</summary>
    public Task SendRawCommandsAsync(ReadOnlyMemory<byte> commands, CancellationToken cancellationToken) =>
        SendRawAsync(commands, cancellationToken);

    private async Task SendRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        _stream.Dispose();
        _socket.Dispose();
        _sendLock.Dispose();
        return ValueTask.CompletedTask;
    }
}
