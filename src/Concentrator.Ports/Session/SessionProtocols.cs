using Concentrator.Ports.Configuration;
using Concentrator.Telnet;

namespace Concentrator.Ports.Session;

/// <summary>Creates the protocol a listener speaks.</summary>
internal static class SessionProtocols
{
    public static ISessionProtocol Create(ListenerProtocol protocol, string signature) => protocol switch
    {
        ListenerProtocol.Telnet => new TelnetProtocol(TelnetMode.Telnet, signature),
        ListenerProtocol.Rfc2217 => new TelnetProtocol(TelnetMode.Rfc2217, signature),
        ListenerProtocol.Web => new RawProtocol(showsNotices: true),
        _ => new RawProtocol(), // raw and udp: bytes as they are
    };
}
