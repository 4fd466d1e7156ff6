using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Akka.Event;
using Concentrator.Ports.Admission;
using Concentrator.Ports.Channels;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Port;
using Concentrator.Ports.Security;

namespace Concentrator.Ports.Listener;

/// <summary>
/// SSH entry, the daemon side: accepts on the ssh-entry Unix socket, checks the peer with SO_PEERCRED, reads the one
/// header line <c>concentrator ssh-entry</c> sends (<see cref="SshEntryHeader"/>), and hands the connection to that
/// port as an ordinary session, or answers the port list. Who it is, <see cref="SshEntryIdentity"/> decides from the
/// kernel's word (the peer's account): the console account's ssh-entry names a users-file principal and the address
/// sshd verified; any other account is "ssh:" + its name, its SSH_CONNECTION logged but used for nothing. The port's
/// ACL and limits apply as to anyone. The session is raw bytes with escape commands and notices, for a person on a
/// terminal. Header reads run off the actor thread and are bounded by handshake-timeout.
/// </summary>
public sealed class SshEntryListenerActor : ReceiveActor, IWithTimers
{
    private const int MaxHeaderBytes = 512;

    /// <summary>How SSH-entry sessions are served: raw, replay on (a person wants the screen), slow terminals lose the oldest output.</summary>
    public static ListenerSettings SessionListener { get; } =
        new(IPAddress.Loopback, 0, ListenerProtocol.Raw, SessionAccess.ReadWrite, Replay: true, 1024 * 1024, OverflowPolicy.DropOldest);

    private readonly Socket _socket;
    private readonly string _path;
    private readonly IActorRef _ports;
    private readonly DaemonSecurity _security;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly SshEntryTerminals _terminals = new();

    public ITimerScheduler Timers { get; set; } = null!;

    public SshEntryListenerActor(Socket socket, string path, IActorRef ports, DaemonSecurity security)
    {
        _socket = socket;
        _path = path;
        _ports = ports;
        _security = security;
        Receive<Accepted>(a =>
        {
            OnAccepted(a.Client);
            AcceptNext();
        });
        Receive<AcceptFailed>(f =>
        {
            _log.Warning("ssh-entry {0}: accept failed: {1}", _path, f.Reason);
            Timers.StartSingleTimer("retry", Retry.Instance, TimeSpan.FromMilliseconds(100));
        });
        Receive<Retry>(_ => AcceptNext());
        Receive<HeaderRead>(OnHeader);
        Receive<HeaderFailed>(f =>
        {
            f.Client.Dispose();
            _log.Info("ssh-entry: local account {0} {1}", f.User, f.Reason);
        });
        Receive<SshEntryPortList>(list => SayAndClose(list.Client, string.Concat(list.Lines.Select(l => l + "\n"))));
        Receive<SshEntryPortUnknown>(unknown =>
        {
            _log.Info("ssh-entry: {0} asked for port '{1}', which does not exist", unknown.User, unknown.Port);
            SayAndClose(unknown.Client, $"concentrator: no port named '{unknown.Port}'; ports: {string.Join(", ", unknown.Known)}\r\n");
        });
    }

    public static Props Props(Socket socket, string path, IActorRef ports, DaemonSecurity security) =>
        Akka.Actor.Props.Create(() => new SshEntryListenerActor(socket, path, ports, security));

    protected override void PreStart() => AcceptNext();

    protected override void PostStop()
    {
        _socket.Dispose();
        try
        {
            File.Delete(_path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a leftover socket file is replaced at the next start
        }
    }

    private void AcceptNext() =>
        _socket.AcceptAsync().PipeTo(Self, success: s => new Accepted(s), failure: e => new AcceptFailed(e.GetBaseException().Message));

    private void OnAccepted(Socket client)
    {
        string? user;
        string? refusal;
        int pid;
        try
        {
            var peer = PeerCredentials.Of(client);
            pid = peer.ProcessId;
            user = SshEntrySocket.MayConnect(peer, _security.Settings.SshEntryGroup, out refusal);
        }
        catch (SocketException e)
        {
            client.Dispose();
            _log.Debug("ssh-entry: connection lost at accept: {0}", e.Message);
            return;
        }

        if (user is null)
        {
            client.Dispose();
            _log.Warning("ssh-entry {0}: refused: {1}", _path, refusal);
            return;
        }

        ReadHeaderAsync(client, _security.Settings.HandshakeTimeout).PipeTo(Self,
            success: header => new HeaderRead(client, user, pid, header),
            failure: e => new HeaderFailed(client, user, (e as AggregateException)?.InnerException?.Message ?? e.Message));
    }

    /// <summary>One byte at a time up to the newline: nothing after the header (the user's first keys) is read here.</summary>
    private static async Task<string> ReadHeaderAsync(Socket client, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var header = new List<byte>();
        var one = new byte[1];
        try
        {
            while (header.Count < MaxHeaderBytes)
            {
                if (await client.ReceiveAsync(one, SocketFlags.None, cancel.Token).ConfigureAwait(false) == 0)
                {
                    throw new IOException("closed before naming a port");
                }

                if (one[0] == '\n')
                {
                    return Encoding.UTF8.GetString([.. header]);
                }

                header.Add(one[0]);
            }
        }
        catch (OperationCanceledException)
        {
            throw new IOException($"named no port within {timeout.TotalSeconds:0} s");
        }

        throw new IOException("sent a header longer than a port name");
    }

    private void OnHeader(HeaderRead read)
    {
        var header = SshEntryHeader.Parse(read.Header);
        if (header.Verb == SshEntryVerb.Resize)
        {
            // Cosmetic (the session list), so no identity beyond "the same process that opened the session".
            if (Session.TerminalSize.Of(header.Columns, header.Rows) is { } size)
            {
                _terminals.Resize(read.ProcessId, read.User, size);
            }

            read.Client.Dispose();
            return;
        }

        if (SshEntryIdentity.Identify(read.User, header, _security.Settings, out var refusal) is not { } principal)
        {
            _log.Warning("ssh-entry: refused: {0}", refusal);
            SayAndClose(read.Client, $"concentrator: refused: {refusal}\r\n");
            return;
        }

        // From the console account, SSH_CONNECTION is what sshd set (the front door's trust boundary, SshEntryIdentity):
        // the session's source. From any other account it is the peer's word, logged and used for nothing.
        var verified = principal.Source is not null;
        if (header.SshClient is { } sshClient)
        {
            _log.Info(verified
                    ? "ssh-entry: {0} for {1}, from {2} (SSH_CONNECTION of the console account's sshd session)"
                    : "ssh-entry: {0} for {1}, from {2} as its SSH_CONNECTION says (not verified: used for nothing but this line)",
                principal.Name, header.Verb == SshEntryVerb.List ? "the port list" : "port " + header.Port, sshClient);
        }

        if (header.Verb == SshEntryVerb.List)
        {
            _ports.Tell(new SshEntryListPorts(principal, read.Client));
            return;
        }

        EndPoint remote = verified && header.SshClient is { } endPoint ? endPoint : new UnixDomainSocketEndPoint(_path);
        var channel = new StreamChannel(new NetworkStream(read.Client, ownsSocket: true), remote);
        var security = _security.ForSession(SessionListener, _ => new Identification(principal, null), interactive: true);
        _ports.Tell(new SshEntryConnection(header.Port, principal.Name, read.Client, new ClientConnected(channel, SessionListener, security)
        {
            Terminal = _terminals.Open(read.ProcessId, read.User, Session.TerminalSize.Of(header.Columns, header.Rows)),
        }));
    }

    /// <summary>One line, bounded in time, then the socket goes; off the actor thread.</summary>
    private static void SayAndClose(Socket client, string line) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await client.SendAsync(Encoding.UTF8.GetBytes(line), SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or TimeoutException)
            {
                // the user is gone already
            }
            finally
            {
                client.Dispose();
            }
        });

    private sealed record Accepted(Socket Client);

    private sealed record AcceptFailed(string Reason);

    private sealed record HeaderRead(Socket Client, string User, int ProcessId, string Header);

    private sealed record HeaderFailed(Socket Client, string User, string Reason);

    private sealed record Retry
    {
        public static Retry Instance { get; } = new();
    }
}

/// <summary>SSH entry -> ports supervisor: a connection for the port named <paramref name="Port"/>.</summary>
public sealed record SshEntryConnection(string Port, string User, Socket Client, ClientConnected Connected);

/// <summary>SSH entry -> ports supervisor: which ports may <paramref name="Principal"/> use (the port menu, <c>ssh console@host ports</c>)?</summary>
public sealed record SshEntryListPorts(Principal Principal, Socket Client);

/// <summary>Ports supervisor -> SSH entry: the answer, one line per port: name, access, tags (tab-separated).</summary>
public sealed record SshEntryPortList(Socket Client, IReadOnlyList<string> Lines);

/// <summary>Ports supervisor -> SSH entry: there is no such port; <paramref name="Known"/> lists the ones there are.</summary>
public sealed record SshEntryPortUnknown(string Port, string User, Socket Client, IReadOnlyList<string> Known);
