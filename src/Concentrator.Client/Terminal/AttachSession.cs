using System.Net.Sockets;
using System.Runtime.InteropServices;
using Concentrator.Client.Rfc2217;
using Concentrator.Client.Security;
using Concentrator.Devices.Posix;
using static Concentrator.Devices.Posix.PosixNative;

namespace Concentrator.Client.Terminal;

/// <summary>What a key typed by the user means.</summary>
internal enum EscapeAction { None, Quit, Break, Help }

/// <summary>
/// The escape-key state machine of <c>attach</c>: Ctrl-] then q (or .) quits, b sends a break, Ctrl-] sends a
/// literal Ctrl-], ? prints help; anything else after the escape is dropped with the help shown.
/// </summary>
internal sealed class EscapeFilter
{
    public const byte EscapeKey = 0x1d; // Ctrl-]
    private bool _armed;

    /// <summary>Splits typed bytes into bytes to send and actions.</summary>
    public void Feed(ReadOnlySpan<byte> typed, List<byte> send, List<EscapeAction> actions)
    {
        foreach (var b in typed)
        {
            if (!_armed)
            {
                if (b == EscapeKey)
                {
                    _armed = true;
                }
                else
                {
                    send.Add(b);
                }

                continue;
            }

            _armed = false;
            switch (b)
            {
                case EscapeKey:
                    send.Add(b);
                    break;
                case (byte)'q' or (byte)'Q' or (byte)'.':
                    actions.Add(EscapeAction.Quit);
                    break;
                case (byte)'b' or (byte)'B':
                    actions.Add(EscapeAction.Break);
                    break;
                default:
                    actions.Add(EscapeAction.Help);
                    break;
            }
        }
    }
}

/// <summary>
/// <c>concentrator attach HOST:PORT</c>: an interactive terminal on a remote port. The local terminal is put in
/// raw mode (when stdin is a tty) and restored on every exit path: quit, remote close, errors, signals.
/// </summary>
public static class AttachSession
{
    private const string Help = "\r\n[concentrator: Ctrl-] then: q quit, b send break, Ctrl-] send Ctrl-], ? this help]\r\n";

    /// <summary>Exit code: 0 quit by the user, 1 connection failed / refused / closed by the server.</summary>
    public static async Task<int> RunAsync(RemoteEndPoint remote, CancellationToken cancellationToken, ClientSecurity? security = null)
    {
        ArgumentNullException.ThrowIfNull(remote);
        // Raw fds, not System.Console: Console would switch the terminal to its own (echoing, line) mode.
        var stderr = new FdWriter(2);
        Rfc2217Connection connection;
        try
        {
            connection = await Rfc2217Connection.ConnectAsync(remote, TimeSpan.FromSeconds(10), cancellationToken, security: security).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            await stderr.WriteLineAsync($"concentrator: attach: cannot connect to {remote}: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (ServerRefusedException e)
        {
            await stderr.WriteLineAsync($"concentrator: attach: {remote} refused the session: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (IOException e)
        {
            await stderr.WriteLineAsync($"concentrator: attach: {remote}: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        await using (connection.ConfigureAwait(false))
        using (var terminal = RawTerminal.Enter())
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            await stderr.WriteAsync($"[concentrator: connected to {remote}; escape is Ctrl-] (q quit, b break, ? help)]\r\n").ConfigureAwait(false);
            var stdout = new FdWriter(1);
            var quit = false;
            var receive = connection.RunAsync(
                data => stdout.Write(data),
                _ => { },
                stop.Token);
            var keyboard = Task.Factory.StartNew(async () =>
            {
                var buffer = new byte[1024];
                var filter = new EscapeFilter();
                var send = new List<byte>();
                var actions = new List<EscapeAction>();
                while (!stop.IsCancellationRequested)
                {
                    var n = FdWriter.Read(0, buffer);
                    if (n <= 0)
                    {
                        await Task.Delay(1000, stop.Token).ConfigureAwait(false); // stdin closed: let the last output arrive
                        quit = true;
                        return;
                    }

                    send.Clear();
                    actions.Clear();
                    filter.Feed(buffer.AsSpan(0, n), send, actions);
                    if (send.Count > 0)
                    {
                        await connection.SendDataAsync(send.ToArray(), stop.Token).ConfigureAwait(false);
                    }

                    foreach (var action in actions)
                    {
                        switch (action)
                        {
                            case EscapeAction.Quit:
                                quit = true;
                                return;
                            case EscapeAction.Break:
                                await connection.SendBreakAsync(TimeSpan.FromMilliseconds(250), stop.Token).ConfigureAwait(false);
                                await stderr.WriteAsync("\r\n[concentrator: break sent]\r\n").ConfigureAwait(false);
                                break;
                            default:
                                await stderr.WriteAsync(Help).ConfigureAwait(false);
                                break;
                        }
                    }
                }
            }, stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

            var first = await Task.WhenAny(receive, keyboard).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            terminal.Restore();
            if (cancellationToken.IsCancellationRequested)
            {
                await stderr.WriteLineAsync($"\r\n[concentrator: detached from {remote}]").ConfigureAwait(false);
                return 0;
            }

            if (first == keyboard && quit)
            {
                await stderr.WriteLineAsync($"\r\n[concentrator: detached from {remote}]").ConfigureAwait(false);
                return 0;
            }

            try
            {
                await first.ConfigureAwait(false);
                await stderr.WriteLineAsync($"\r\n[concentrator: the connection to {remote} was closed by the server (port gone or session ended)]").ConfigureAwait(false);
            }
            catch (ServerRefusedException e)
            {
                await stderr.WriteLineAsync($"concentrator: attach: {remote} refused the session: {e.Message}").ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                await stderr.WriteLineAsync($"\r\n[concentrator: the connection to {remote} was lost: {e.Message}]").ConfigureAwait(false);
            }

            return 1;
        }
    }
}

/// <summary>Unbuffered writes (and reads) on a raw file descriptor; text as UTF-8.</summary>
internal sealed class FdWriter(int fd)
{
    public unsafe void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            nint n;
            fixed (byte* p = data)
            {
                n = PosixNative.Write(fd, p, (nuint)data.Length);
            }

            if (n > 0)
            {
                data = data[(int)n..];
            }
            else if (n < 0 && Marshal.GetLastPInvokeError() is EINTR or EAGAIN)
            {
                _ = PollOne(fd, POLLOUT, 100);
            }
            else
            {
                return; // the terminal is gone
            }
        }
    }

    public Task WriteAsync(string text)
    {
        Write(System.Text.Encoding.UTF8.GetBytes(text));
        return Task.CompletedTask;
    }

    public Task WriteLineAsync(string text) => WriteAsync(text + "\n");

    /// <summary>Blocking read; 0 at end of input or on error.</summary>
    public static unsafe int Read(int fd, Span<byte> buffer)
    {
        while (true)
        {
            nint n;
            fixed (byte* p = buffer)
            {
                n = PosixNative.Read(fd, p, (nuint)buffer.Length);
            }

            if (n >= 0)
            {
                return (int)n;
            }

            if (Marshal.GetLastPInvokeError() is EINTR)
            {
                continue;
            }

            if (Marshal.GetLastPInvokeError() is EAGAIN)
            {
                _ = PollOne(fd, POLLIN, 1000);
                continue;
            }

            return 0;
        }
    }
}

/// <summary>Puts the controlling terminal (stdin) in raw mode and restores it exactly once.</summary>
internal sealed class RawTerminal : IDisposable
{
    private readonly Termios2 _saved;
    private readonly bool _active;
    private int _restored;

    private RawTerminal(Termios2 saved, bool active)
    {
        _saved = saved;
        _active = active;
    }

    public static RawTerminal Enter()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64) || IsATty(0) != 1)
        {
            return new RawTerminal(default, false);
        }

        var t = default(Termios2);
        if (Ioctl(0, TCGETS2, ref t) != 0)
        {
            return new RawTerminal(default, false);
        }

        var raw = t;
        MakeRaw(ref raw);
        _ = Ioctl(0, TCSETSW2, ref raw);
        var terminal = new RawTerminal(t, true);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => terminal.Restore();
        return terminal;
    }

    public void Restore()
    {
        if (_active && Interlocked.Exchange(ref _restored, 1) == 0)
        {
            var t = _saved;
            _ = Ioctl(0, TCSETSW2, ref t);
        }
    }

    public void Dispose() => Restore();
}
