using System.Net;

namespace Concentrator.Api.Entry;

/// <summary>
/// What the HTTP entry made of who sent a request (a request feature; the client itself is
/// <c>HttpContext.Connection.RemoteIpAddress</c>, the forwarded one when a trusted proxy named it).
/// </summary>
/// <param name="Peer">The TCP peer: the client itself, or the proxy in front of it.</param>
/// <param name="ViaTrustedProxy">Whether the peer is in trusted-proxies, so its forwarding headers were followed.</param>
/// <param name="IgnoredForwarding">A forwarding header that was present but not followed to a client (from a peer not in
/// trusted-proxies, or one that named no address), or null.</param>
public sealed record RequestSource(IPAddress? Peer, bool ViaTrustedProxy, string? IgnoredForwarding);
