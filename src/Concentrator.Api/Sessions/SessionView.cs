using Concentrator.Ports.Management;

namespace Concentrator.Api.Sessions;

/// <summary>One session as the API shows it; <see cref="Id"/> ("port:number") is what DELETE /api/sessions/{id} takes.</summary>
/// <param name="Id">"port:number", unique in the daemon.</param>
/// <param name="Port">The port's name.</param>
/// <param name="Number">The session's number on its port.</param>
/// <param name="Peer">The client's address.</param>
/// <param name="Principal">Who the client is ("*" when it did not identify itself).</param>
/// <param name="Role">read-write, read-only or waiting (for the exclusive write lock).</param>
/// <param name="Transport">raw, telnet or rfc2217.</param>
/// <param name="Listener">The listener it came through.</param>
/// <param name="BytesIn">Bytes received from the client.</param>
/// <param name="BytesOut">Bytes sent to the client.</param>
/// <param name="Dropped">Device bytes dropped because the client read too slowly.</param>
/// <param name="Since">When it connected.</param>
public sealed record SessionView(string Id, string Port, int Number, string Peer, string Principal, string Role, string Transport,
    string Listener, long BytesIn, long BytesOut, long Dropped, DateTimeOffset Since)
{
    /// <summary>The client terminal's size ("120x40"), when it told one (SSH entry, the browser terminal).</summary>
    public string? Terminal { get; init; }

    public static SessionView From(SessionSnapshot s) =>
        new(s.Id, s.Port, s.Number, s.Peer, s.Principal, s.Role, s.Protocol, s.Listener, s.BytesIn, s.BytesOut, s.Dropped, s.Since)
        {
            Terminal = s.Terminal,
        };
}
