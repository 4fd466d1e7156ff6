using System.Net;

namespace Concentrator.Ports.Admission;

/// <summary>
/// Who a client is, as admission rules see it: a name ("*" for anonymous; later "alice", "cert:CN", "ssh:user") and
/// the address it connects from.
/// </summary>
public sealed record Principal(string Name, IPAddress? Source)
{
    /// <summary>The name of a client that did not identify itself (a listener with no authentication).</summary>
    public const string AnonymousName = "*";

    public static Principal Anonymous(EndPoint? remote) => new(AnonymousName, (remote as IPEndPoint)?.Address);

    /// <summary>The client named <paramref name="name"/> (anonymous when null) connecting from <paramref name="remote"/>.</summary>
    public static Principal Of(string? name, EndPoint? remote) => new(name ?? AnonymousName, (remote as IPEndPoint)?.Address);

    public override string ToString() => Source is null ? Name : $"{Name} from {Source}";
}
