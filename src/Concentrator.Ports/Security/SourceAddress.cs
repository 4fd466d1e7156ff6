using System.Net;
using System.Net.Sockets;

namespace Concentrator.Ports.Security;

/// <summary>
/// What "one source" is for per-source limits: an IPv4 address, or an IPv6 /64 (one host usually holds a whole /64,
/// so counting single IPv6 addresses would let it pass every limit by changing its address).
/// </summary>
public static class SourceAddress
{
    /// <summary>The address as filters see it: an IPv4-mapped IPv6 address (a dual-stack socket) is the IPv4 address.</summary>
    public static IPAddress Normalize(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    /// <summary>The key per-source limits count under.</summary>
    public static IPAddress Key(IPAddress address)
    {
        var normal = Normalize(address);
        if (normal.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(normal))
        {
            return normal;
        }

        var bytes = normal.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes);
    }

    /// <summary>The key as shown in logs ("2001:db8::/64" for an IPv6 prefix).</summary>
    public static string Describe(IPAddress key) =>
        key.AddressFamily == AddressFamily.InterNetworkV6 && !IPAddress.IsLoopback(key) ? $"{key}/64" : key.ToString();
}
