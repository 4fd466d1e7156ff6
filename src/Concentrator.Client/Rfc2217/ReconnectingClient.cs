using System.Net.Sockets;
using Concentrator.Client.Security;
using Concentrator.Telnet.Rfc2217;

namespace Concentrator.Client.Rfc2217;

/// <summary>
/// Keeps an RFC 2217 connection to one remote port: connects, runs it until it drops, then reconnects with
/// exponential backoff (reset after every successful connection) until cancelled. The local side (a pty, a
/// device) stays as it is in between.
/// </summary>
public sealed class ReconnectingClient(RemoteEndPoint remote, Action<string> log)
{
    private volatile Rfc2217Connection? _current;

    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>TLS and login for every (re)connect.</summary>
    public ClientSecurity Security { get; init; } = ClientSecurity.None;

    /// <summary>The live connection, null while disconnected.</summary>
    public Rfc2217Connection? Current => _current;

    /// <summary>Called once per connection, before data flows (re-apply line settings here).</summary>
    public Func<Rfc2217Connection, CancellationToken, Task>? Connected { get; init; }

    /// <summary>Data from the server; may block (back-pressure).</summary>
    public Action<ReadOnlySpan<byte>> Data { get; init; } = _ => { };

    /// <summary>Events from the server.</summary>
    public Action<ServerEvent> Event { get; init; } = _ => { };

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = MinBackoff;
        string? lastProblem = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            Rfc2217Connection? connection = null;
            try
            {
                connection = await Rfc2217Connection.ConnectAsync(remote, ConnectTimeout, cancellationToken, security: Security).ConfigureAwait(false);
                log($"connected to {remote}");
                lastProblem = null;
                backoff = MinBackoff;
                if (Connected is { } connected)
                {
                    await connected(connection, cancellationToken).ConfigureAwait(false);
                }

                _current = connection;
                await connection.RunAsync(Data, Event, cancellationToken).ConfigureAwait(false);
                log($"connection to {remote} closed by the server; reconnecting");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is SocketException or IOException or ServerRefusedException or ObjectDisposedException)
            {
                var problem = e is ServerRefusedException ? $"refused: {e.Message}" : e.Message;
                if (problem != lastProblem)
                {
                    log($"{remote}: {problem}; retrying with backoff up to {MaxBackoff.TotalSeconds:0.#} s");
                    lastProblem = problem;
                }
            }
            finally
            {
                _current = null;
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }

            try
            {
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
        }
    }
}
