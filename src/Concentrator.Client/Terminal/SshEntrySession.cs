using System.Net.Sockets;
using System.Text;

namespace Concentrator.Client.Terminal;

/// <summary>
/// <c>concentrator ssh-entry</c>, sshd's ForceCommand: connects to the daemon's ssh-entry Unix socket, names the port
/// the SSH user asked for (SSH_ORIGINAL_COMMAND) and the SSH client's address (SSH_CONNECTION), puts the terminal in
/// raw mode and pipes bytes both ways until the daemon closes the session. Who the user is, the daemon learns from
/// the kernel (SO_PEERCRED), not from anything sent here.
/// </summary>
public static class SshEntrySession
{
    /// <summary>Exit code: 0 when the session ended, 1 when the daemon cannot be reached.</summary>
    public static async Task<int> RunAsync(string socketPath, string port, string? sshConnection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(port);
        var stderr = new FdWriter(2);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
            await socket.SendAsync(Encoding.UTF8.GetBytes($"{port}\t{sshConnection}\n"), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            await stderr.WriteLineAsync($"concentrator ssh-entry: cannot reach the concentrator daemon at {socketPath}: {e.Message}").ConfigureAwait(false);
            return 1;
        }

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
}
