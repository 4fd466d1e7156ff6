using System.Net;
using Concentrator.Ports.Configuration;

namespace Concentrator.Leases.Domain;

/// <summary>Ports as leases see them, from the configured settings.</summary>
public static class LeasablePorts
{
    public static IReadOnlyList<LeasablePort> From(IEnumerable<PortSettings> ports) => [.. ports.Select(From)];

    public static LeasablePort From(PortSettings port) => new(port.Name, port.TagList, Endpoint(port));

    /// <summary>
    /// host:tcp of the first read-write listener: where the holder connects. A listener bound to every address is
    /// named by this machine's host name, which a client elsewhere can resolve; IPv6 addresses are bracketed.
    /// </summary>
    public static string? Endpoint(PortSettings port)
    {
        var listener = port.Listeners.FirstOrDefault(l => l.Access == SessionAccess.ReadWrite);
        if (listener is null)
        {
            return null;
        }

        if (listener.Bind.Equals(IPAddress.Any) || listener.Bind.Equals(IPAddress.IPv6Any))
        {
            return $"{Dns.GetHostName()}:{listener.Port}";
        }

        return new IPEndPoint(listener.Bind, listener.Port).ToString(); // [fd00::5]:7000 for IPv6
    }
}
