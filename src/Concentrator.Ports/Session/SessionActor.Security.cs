using System.Net;
using System.Text;
using Akka.Actor;
using Akka.Event;
using Concentrator.Ports.Admission;
using Concentrator.Ports.Port;
using Concentrator.Ports.Security;

namespace Concentrator.Ports.Session;

/// <summary>
/// Who the client is, before it joins its port: what the channel's handshake showed (a client certificate, SSH entry's
/// peer), or, on password listeners, the <c>login:</c> / <c>Password:</c> dialogue (each prompt bounded by
/// handshake-timeout, the password checked off the actor thread); and refusals before joining, logged once per source
/// and cause per interval.
/// </summary>
public sealed partial class SessionActor
{
    /// <summary>Who the client is: a login first on password listeners, else what the channel's handshake showed.</summary>
    private void Identify()
    {
        if (_security.Login is not null)
        {
            BeginLogin();
            return;
        }

        var identity = _security.Identify(_channel);
        if (identity.Principal is null)
        {
            RefuseBeforeJoin($"concentrator: {identity.Problem}\r\n", identity.Problem ?? "not identified");
            return;
        }

        Join(identity.Principal);
    }

    private void Join(Principal principal)
    {
        _principal = principal;
        _port.Tell(new JoinPort(principal, _channel.Peer, _counters, _output));
    }

    private void RefuseBeforeJoin(string line, string reason)
    {
        Timers.Cancel("handshake");
        LogRefusal("identity", reason);
        _closeReason = "refused: " + reason;
        _output.EnqueueControl(Encoding.UTF8.GetBytes(line));
        Drain();
    }

    /// <summary>A refusal before the session joined, logged at most once per source per interval (floods stay readable).</summary>
    /// <remarks>
    /// The audit trail gets the same lines, throttled the same way (a flood of failures from one source is one line
    /// per interval with the count of those not written): a failed login is <c>login</c> / <c>failed</c>, any other
    /// refusal before the join <c>connect</c> / <c>refused</c>.
    /// </remarks>
    private void LogRefusal(string kind, string what, string? user = null)
    {
        var source = (_channel.RemoteEndPoint as IPEndPoint)?.Address;
        var suppressed = 0;
        if (_security.Refusals is not { } refusals)
        {
            _log.Info("{0}: {1} {2}", Name, _channel.Peer, what);
        }
        else if (refusals.ShouldLog(source, kind, out suppressed))
        {
            _log.Info("{0}: {1} {2}{3}", Name, _channel.Peer, what, refusals.Summary(suppressed));
        }
        else
        {
            return;
        }

        _security.Audit.Record(kind == "login" ? "login" : "connect", user, source, _portSettings.Name, kind == "login" ? "failed" : "refused",
            ("reason", what), ("peer", _channel.Peer), ("suppressed", suppressed > 0 ? suppressed.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
    }

    /// <summary>Password listeners: the telnet options go out (WILL ECHO: what the client types shows only as we echo it), then the prompt.</summary>
    private void BeginLogin()
    {
        _login = new LoginDialogue();
        Become(LoggingIn);
        _protocol.Start(_toClient);
        if (_protocol is TelnetProtocol telnet)
        {
            telnet.Codec.DeclareLogin(_toClient); // our clients answer only a login the server declared this way
        }

        FlushReplies();
        PromptLogin(LoginDialogue.UserPrompt);
    }

    private void PromptLogin(string text)
    {
        // Each prompt has its own handshake-timeout: a client that stalls mid-login is closed, a person typing is not rushed.
        Timers.StartSingleTimer("handshake", new HandshakeFailed("login timeout"), _security.HandshakeTimeout);
        _output.EnqueueControl(_protocol.EncodeNotice(text));
        PumpSend();
        _readClient = true;
        ResumeReading();
    }

    /// <summary>The login: typed bytes go to the dialogue (never to the port); the password is checked off the actor thread.</summary>
    private void LoggingIn()
    {
        Receive<ClientRead>(OnLoginRead);
        Receive<LoginChecked>(OnLoginChecked);
        Receive<ClientReadFailed>(f =>
        {
            _reading = false;
            Close(f.Reason);
        });
        Receive<SendDone>(OnSendDone);
        Receive<OutputProgress>(_ => ResumeReading());
        Receive<SendFailed>(f => Close(f.Reason));
        Receive<HandshakeFailed>(f =>
        {
            LogRefusal("handshake", f.Reason);
            Close(f.Reason);
        });
        Receive<CloseSession>(close => Close(close.Reason));
    }

    private void OnLoginRead(ClientRead read)
    {
        _reading = false;
        if (read.Count == 0)
        {
            LogRefusal("login", "closed the connection during login");
            Close("client closed during login");
            return;
        }

        if (!Decode(read.Count))
        {
            return;
        }

        FlushReplies();
        var echo = new StringBuilder();
        var wasAtPassword = _login!.AtPassword;
        foreach (var item in _items)
        {
            if (item is not byte[] data)
            {
                if (_deferred.Count < MaxCommandBacklog)
                {
                    _deferred.Add(item); // e.g. COM-PORT-OPTION set-up from our own clients: answered once admitted
                }

                continue;
            }

            switch (_login!.Feed(data, echo))
            {
                case LoginDialogue.Outcome.Entered:
                    SayDuringLogin(echo);
                    CheckPassword(_login.User, _login.Password);
                    return;
                case LoginDialogue.Outcome.GaveUp:
                    SayDuringLogin(echo);
                    _closeReason = "gave up at the login prompt";
                    Timers.Cancel("handshake");
                    Drain();
                    return;
            }
        }

        SayDuringLogin(echo);
        if (_login!.AtPassword && !wasAtPassword)
        {
            // The password prompt has its own handshake-timeout, as the name prompt had.
            Timers.StartSingleTimer("handshake", new HandshakeFailed("login timeout"), _security.HandshakeTimeout);
        }

        ResumeReading();
    }

    private void SayDuringLogin(StringBuilder text)
    {
        if (text.Length > 0)
        {
            _output.EnqueueControl(_protocol.EncodeNotice(text.ToString()));
            PumpSend();
        }
    }

    private void CheckPassword(string user, string password)
    {
        _readClient = false; // nothing is read while the check runs: a client cannot queue guesses
        var users = _security.Login!.Users;
        users.VerifyAsync(user, password)
            .PipeTo(Self, success: account => new LoginChecked(user, account), failure: _ => new LoginChecked(user, null));
    }

    private void OnLoginChecked(LoginChecked checkedLogin)
    {
        var source = (_channel.RemoteEndPoint as IPEndPoint)?.Address;
        if (checkedLogin.Account is { } account)
        {
            // Admission has its own handshake-timeout from here.
            Timers.StartSingleTimer("handshake", new HandshakeFailed("admission timeout"), _security.HandshakeTimeout);
            _login = null;
            _security.Audit.Record("login", account.Name, source, _portSettings.Name, "ok", ("peer", _channel.Peer));
            Become(Connecting);
            Join(Principal.User(account.Name, source, account.Groups));
            return;
        }

        var login = _security.Login!;
        _loginFailures++;
        var why = login.Users.Find(checkedLogin.User) is null ? "unknown user" : "wrong password";
        LogRefusal("login", $"login failed for '{Printable(checkedLogin.User)}' ({why})", Printable(checkedLogin.User));
        string? blocked = null;
        if (source is not null)
        {
            login.Limiter.LoginFailed(source);
            login.Limiter.IsLoginBlocked(source, out blocked);
        }

        if (_loginFailures >= login.AttemptsPerConnection || blocked is not null)
        {
            Timers.Cancel("handshake");
            _output.EnqueueControl(_protocol.EncodeNotice("Login incorrect\r\n" +
                (blocked is null ? "" : "concentrator: too many failed logins from your address; try again later\r\n")));
            _closeReason = $"login failed {_loginFailures} time(s)";
            Drain();
            return;
        }

        _login!.Reset();
        PromptLogin("Login incorrect\r\n\r\n" + LoginDialogue.UserPrompt);
    }

    /// <summary>A user name as the log shows it: printable, bounded (whatever a client typed).</summary>
    private static string Printable(string text)
    {
        var shown = new string([.. text.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
        return text.Length > 64 ? shown + "..." : shown;
    }

    /// <summary>
    /// The first bytes of a plain session are a TLS ClientHello: a TLS client on a listener without tls. Closed with
    /// the cause in the log, before any of it reaches the device.
    /// </summary>
    private bool IsTlsOnPlainListener(int count)
    {
        if (_counters.BytesIn > 0 || _listener.Tls is not null || !TlsProbe.IsClientHello(_readBuffer.AsSpan(0, count)))
        {
            return false;
        }

        LogRefusal("tls-on-plain", "sent a TLS ClientHello to a listener without tls { }: a TLS client on a plain port");
        Close("a TLS client on a plain listener");
        return true;
    }

    private sealed record LoginChecked(string User, UserAccount? Account);
}
