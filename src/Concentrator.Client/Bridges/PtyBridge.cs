using Concentrator.Client.Rfc2217;
using Concentrator.Client.Security;
using Concentrator.Devices;
using Concentrator.Telnet.Rfc2217;

namespace Concentrator.Client.Bridges;

/// <summary>
/// <c>concentrator pty</c>: a local pty behind a symlink, bridged to a remote port over RFC 2217. Termios
/// changes a program makes on the pty (baud rate, stop bits, flow control; data bits and parity where the
/// kernel keeps them) are seen by polling the termios every 50 ms and sent to the server; they are re-sent
/// after every reconnect. The pty and the link survive lost connections; the link is removed on exit.
/// </summary>
public sealed class PtyBridge(RemoteEndPoint remote, string linkPath, int? baud, Action<string> log)
{
    private const int PollMs = 50;
    private readonly Lock _gate = new();
    private LineSettings _lastSeen = LineSettings.Default;
    private LineChange _desired = new();

    /// <summary>Called once the link exists (tests and the command print it).</summary>
    public Action<string>? Ready { get; init; }

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>TLS and login for every (re)connect.</summary>
    public ClientSecurity Security { get; init; } = ClientSecurity.None;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var pty = LocalPty.Open();
        if (baud is { } b)
        {
            pty.SetBaud(b);
            _desired = new LineChange(BaudRate: b);
        }

        _lastSeen = pty.GetLine();
        pty.Link(linkPath);
        log($"{linkPath} -> {pty.SlavePath} ({_lastSeen})");
        Ready?.Invoke(pty.SlavePath);

        var client = new ReconnectingClient(remote, log)
        {
            MaxBackoff = MaxBackoff,
            Security = Security,
            Connected = async (connection, ct) =>
            {
                LineChange desired;
                lock (_gate)
                {
                    desired = _desired;
                }

                if (desired.IsEmpty)
                {
                    await connection.QueryBaudRateAsync(ct).ConfigureAwait(false); // the pty shows the remote rate
                }
                else
                {
                    log($"applying {desired}");
                    await connection.SetLineAsync(desired, ct).ConfigureAwait(false);
                }
            },
            Data = data => pty.Write(data, cancellationToken),
            Event = e =>
            {
                if (e is BaudRateIs { BaudRate: > 0 } rate)
                {
                    lock (_gate)
                    {
                        if (_desired.BaudRate is null && _lastSeen.BaudRate != (int)rate.BaudRate)
                        {
                            pty.SetBaud((int)rate.BaudRate);
                            _lastSeen = pty.GetLine();
                        }
                    }
                }
            },
        };

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var network = client.RunAsync(stop.Token);
        var local = Task.Factory.StartNew(
            () => PtyLoop(pty, client, stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            await Task.WhenAny(network, local).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(network.ContinueWith(_ => { }, TaskScheduler.Default), local.ContinueWith(_ => { }, TaskScheduler.Default)).ConfigureAwait(false);
        }

        if (local.IsFaulted)
        {
            await local.ConfigureAwait(false); // surface a pty failure
        }
    }

    private void PtyLoop(LocalPty pty, ReconnectingClient client, CancellationToken cancellationToken)
    {
        var buffer = new byte[16384];
        while (!cancellationToken.IsCancellationRequested)
        {
            var connection = client.Current;
            if (connection is null)
            {
                Thread.Sleep(PollMs); // leave what the program writes in the pty until we are connected
            }
            else
            {
                var n = pty.Read(buffer, PollMs);
                if (n > 0)
                {
                    Try(connection.SendDataAsync(buffer.AsMemory(0, n).ToArray(), cancellationToken));
                }
            }

            LineChange? change = null;
            var now = pty.GetLine();
            lock (_gate)
            {
                if (now != _lastSeen)
                {
                    change = LineChange.Diff(_lastSeen, now);
                    _lastSeen = now;
                    _desired = _desired.Merge(change);
                }
            }

            if (change is not null)
            {
                log($"local termios changed: {change}");
                if (client.Current is { } c)
                {
                    Try(c.SetLineAsync(change, cancellationToken));
                }
            }
        }
    }

    /// <summary>Waits for a send; a failed send is noticed (and reconnected) by the receive loop.</summary>
    internal static void Try(Task send)
    {
        try
        {
            send.GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }
}
