using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Concentrator.Devices.Posix;

namespace Concentrator.Client.Terminal;

/// <summary>
/// <c>concentrator ssh-entry</c>, sshd's ForceCommand: connects to the daemon's ssh-entry Unix socket, sends the
/// header line (the port the SSH user asked for, SSH_CONNECTION, the principal its authorized_keys line pinned, the
/// terminal size), puts the terminal in raw mode and pipes bytes both ways until the daemon closes the session. Which
/// local account this is, the daemon learns from the kernel (SO_PEERCRED), and only the console account's header is
/// believed about the principal and the address.
/// </summary>
public static class SshEntrySession
{
    /// <summary>
    /// Exit code: 0 when the session ended, 1 when the daemon cannot be reached. <paramref name="resizeHeader"/> makes
    /// the header that reports a new terminal size (columns, rows) on SIGWINCH, each on a short connection of its own:
    /// the session's stream stays the console's bytes only.
    /// </summary>
    public static async Task<int> RunAsync(string socketPath, string header, Func<int, int, string>? resizeHeader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(header);
        using var socket = await ConnectAsync(socketPath, header, cancellationToken).ConfigureAwait(false);
        if (socket is null)
        {
            return 1;
        }

        using var resized = resizeHeader is null || OperatingSystem.IsWindows()
            ? null
            : PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => ReportSize(socketPath, resizeHeader));

        using var terminal = RawTerminal.Enter();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stdout = new FdWriter(1);
        var fromDaemon = Task.Run(async () =>
        {
            var buffer = new byte[16384];
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    return;
                }

                stdout.Write(buffer.AsSpan(0, n));
            }
        }, stop.Token);
        // The keyboard is read on its own thread (a blocking read of fd 0); it ends with the process.
        _ = Task.Factory.StartNew(() =>
        {
            var buffer = new byte[4096];
            while (!stop.IsCancellationRequested)
            {
                var n = FdWriter.Read(0, buffer);
                if (n <= 0)
                {
                    try
                    {
                        socket.Shutdown(SocketShutdown.Send); // end of input: the daemon closes the session when it has said its last
                    }
                    catch (Exception e) when (e is SocketException or ObjectDisposedException)
                    {
                    }

                    return;
                }

                try
                {
                    var sent = 0;
                    while (sent < n)
                    {
                        sent += socket.Send(buffer, sent, n - sent, SocketFlags.None);
                    }
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }
            }
        }, stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        try
        {
            await fromDaemon.ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
        }

        terminal.Restore();
        return 0;
    }

    /// <summary>Tells the daemon the terminal's new size, off the signal's thread; a daemon that is gone is no matter.</summary>
    private static void ReportSize(string socketPath, Func<int, int, string> resizeHeader) =>
        _ = Task.Run(async () =>
        {
            var (columns, rows) = TerminalSize();
            using var report = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await report.ConnectAsync(new UnixDomainSocketEndPoint(socketPath)).ConfigureAwait(false);
                await report.SendAsync(Encoding.UTF8.GetBytes(resizeHeader(columns, rows)), SocketFlags.None).ConfigureAwait(false);
            }
            catch (SocketException)
            {
            }
        });

    /// <summary>The daemon's whole answer to a list header (one line per port), or null when it cannot be reached.</summary>
    public static async Task<string?> ListAsync(string socketPath, string header, CancellationToken cancellationToken)
    {
        using var socket = await ConnectAsync(socketPath, header, cancellationToken).ConfigureAwait(false);
        if (socket is null)
        {
            return null;
        }

        using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The port menu on the SSH terminal (still in its line mode: the user edits a line, Enter sends it): lists the
    /// ports the daemon says this principal may use, reads a number, name or /TAG filter, until a port is chosen (its
    /// name) or the user quits or the input ends (null).
    /// </summary>
    public static async Task<string?> ChoosePortAsync(string socketPath, string listHeader, CancellationToken cancellationToken)
    {
        var stdout = new FdWriter(1);
        var list = await ListAsync(socketPath, listHeader, cancellationToken).ConfigureAwait(false);
        if (list is null)
        {
            return null;
        }

        if (list.StartsWith("concentrator:", StringComparison.Ordinal))
        {
            await stdout.WriteAsync(list).ConfigureAwait(false); // refused: the daemon said why
            return null;
        }

        var menu = new PortMenu(PortMenuEntry.ParseList(list));
        var buffer = new byte[1024];
        while (!cancellationToken.IsCancellationRequested)
        {
            await stdout.WriteAsync(menu.Render()).ConfigureAwait(false);
            var n = FdWriter.Read(0, buffer);
            if (n <= 0)
            {
                return null;
            }

            switch (menu.Choose(Encoding.UTF8.GetString(buffer, 0, n)))
            {
                case PortMenuChoice.Open open:
                    return open.Port;
                case PortMenuChoice.Quit:
                    return null;
                case PortMenuChoice.Invalid invalid:
                    await stdout.WriteAsync($"concentrator: {invalid.Reason}\n").ConfigureAwait(false);
                    break;
            }
        }

        return null;
    }

    /// <summary>The terminal on fd 0 (columns, rows), or (0, 0) when it is not a terminal.</summary>
    public static (int Columns, int Rows) TerminalSize()
    {
        const nuint TiocGWinSz = 0x5413;
        var winsize = Marshal.AllocHGlobal(8);
        try
        {
            // struct winsize { unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel; }
            return OperatingSystem.IsLinux() && PosixNative.Ioctl(0, TiocGWinSz, winsize) == 0
                ? (Marshal.ReadInt16(winsize, 2) & 0xffff, Marshal.ReadInt16(winsize) & 0xffff)
                : (0, 0);
        }
        finally
        {
            Marshal.FreeHGlobal(winsize);
        }
    }

    private static async Task<Socket?> ConnectAsync(string socketPath, string header, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
            await socket.SendAsync(Encoding.UTF8.GetBytes(header), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            await new FdWriter(2).WriteLineAsync($"concentrator ssh-entry: cannot reach the concentrator daemon at {socketPath}: {e.Message}").ConfigureAwait(false);
            return null;
        }
    }
}
