using Concentrator.Ports.Configuration;

namespace Concentrator.Ports.Session;

/// <summary>Creates the protocol a listener speaks.</summary>
internal static class SessionProtocols
{
    public static ISessionProtocol Create(ListenerProtocol protocol, string portName) => protocol switch
    {
        _ => new RawProtocol(),
    };
}
