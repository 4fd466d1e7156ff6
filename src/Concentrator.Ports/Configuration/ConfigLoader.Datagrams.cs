using Akka.Configuration.Hocon;
using Concentrator.Ports.Security;

namespace Concentrator.Ports.Configuration;

/// <summary>
/// <c>protocol = udp</c> listeners (ser2net's udp accepter): datagrams carry raw bytes, so nothing that needs a
/// connection (TLS, a login dialogue) can ride on them.
/// </summary>
public static partial class ConfigLoader
{
    private sealed partial class Reader
    {
        private void CheckDatagramListener(string? port, string prefix, TlsSettings? tls, ListenerAuthentication auth, HoconValue? overflow)
        {
            if (tls is not null)
            {
                Error(port, prefix + "tls", "{ ... }", "a udp listener has no connection to wrap in TLS; use raw, telnet or rfc2217 over TCP");
            }

            if (auth != ListenerAuthentication.None)
            {
                Error(port, prefix + "auth", auth.ToString().ToLowerInvariant(),
                    "a udp listener cannot ask who sends (no login dialogue, no certificate): use allow/deny and the acl's \"*\"");
            }

            if (overflow is not null && overflow.GetString() == "backpressure")
            {
                Error(port, prefix + "overflow", "backpressure", "a udp peer cannot be slowed down: use drop-oldest or disconnect");
            }
        }
    }
}
