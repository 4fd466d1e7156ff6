using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Text.RegularExpressions;
using Concentrator.Ports.Management;

namespace Concentrator.Mdns;

/// <summary>
/// One DNS-SD service instance: a listener of a port, announced on the interface with index <c>Interface</c> (-1 for
/// every interface: a listener bound to all addresses).
/// </summary>
internal sealed record MdnsService(string Instance, string Type, ushort Port, int Interface, IReadOnlyList<string> Txt)
{
    public bool Equals(MdnsService? other) =>
        other is not null && Instance == other.Instance && Type == other.Type && Port == other.Port && Interface == other.Interface &&
        Txt.SequenceEqual(other.Txt);

    public override int GetHashCode() => HashCode.Combine(Instance, Type, Port, Interface);
}

/// <summary>
/// What to announce for the ports as they are now (pure, but for reading the interfaces' indexes): each raw, telnet and
/// RFC 2217 listener is a service of type <c>_raw-serial._tcp</c>, <c>_telnet._tcp</c> or <c>_rfc2217._tcp</c>, named
/// "PORT on HOST", with TXT records <c>port=</c> (the port's name), <c>protocol=</c>, <c>tags=</c> (comma-separated),
/// <c>device=</c> and <c>access=read-only</c> for a read-only listener. A listener bound to loopback is announced on
/// the loopback interface only (nobody else could connect to it); one bound to an address, on that address's interface.
/// </summary>
internal static partial class MdnsServices
{
    public static IReadOnlyList<MdnsService> For(IEnumerable<PortSnapshot> ports, string hostName)
    {
        var services = new List<MdnsService>();
        foreach (var port in ports.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            foreach (var listener in port.Listeners)
            {
                var match = Listener().Match(listener);
                if (!match.Success || !IPAddress.TryParse(match.Groups["address"].Value.Trim('[', ']'), out var address))
                {
                    continue; // the web terminal's pseudo-listener and anything not TCP
                }

                var protocol = match.Groups["protocol"].Value;
                var type = protocol switch { "rfc2217" => "_rfc2217._tcp", "telnet" => "_telnet._tcp", _ => "_raw-serial._tcp" };
                var tcpPort = ushort.Parse(match.Groups["port"].Value, CultureInfo.InvariantCulture);
                var readOnly = match.Groups["rest"].Value.Contains(" read-only", StringComparison.Ordinal);
                List<string> txt = [$"port={port.Name}", $"protocol={protocol}", $"tags={string.Join(',', port.Tags)}", $"device={port.Device}"];
                if (readOnly)
                {
                    txt.Add("access=read-only");
                }

                var instance = $"{port.Name} on {hostName}";
                if (services.Any(s => s.Type == type && s.Instance == instance))
                {
                    instance = string.Create(CultureInfo.InvariantCulture, $"{port.Name} ({tcpPort}) on {hostName}");
                }

                services.Add(new MdnsService(Truncate(instance), type, tcpPort, InterfaceOf(address), txt));
            }
        }

        return services;
    }

    /// <summary>A DNS label holds 63 bytes.</summary>
    private static string Truncate(string instance)
    {
        while (System.Text.Encoding.UTF8.GetByteCount(instance) > 63)
        {
            instance = instance[..^1];
        }

        return instance;
    }

    private static int InterfaceOf(IPAddress address)
    {
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return -1;
        }

        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            var properties = nic.GetIPProperties();
            if (IPAddress.IsLoopback(address) ? nic.NetworkInterfaceType == NetworkInterfaceType.Loopback
                : properties.UnicastAddresses.Any(u => u.Address.Equals(address)))
            {
                return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                    ? properties.GetIPv6Properties().Index
                    : properties.GetIPv4Properties().Index;
            }
        }

        return -1;
    }

    /// <summary>A listener as <see cref="Concentrator.Ports.Configuration.ListenerSettings"/> describes itself: "rfc2217 on 127.0.0.1:7000 read-only ...".</summary>
    [GeneratedRegex(@"^(?<protocol>raw|telnet|rfc2217) on (?<address>\S+):(?<port>\d+)(?<rest>.*)$")]
    private static partial Regex Listener();
}
