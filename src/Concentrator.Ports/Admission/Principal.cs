using System.Net;

namespace Concentrator.Ports.Admission;

/// <summary>
/// Who a client is, as admission rules see it: a name ("*" for anonymous, "alice" for a users-file login,
/// "cert:CN" for a client certificate, "ssh:user" for SSH entry), the address it connects from, the groups ACLs
/// name as "@group" (users-file logins only), and the lease token it presented, if any: a session that shows the
/// token of the port's lease is the holder whoever it is.
/// </summary>
public sealed record Principal(string Name, IPAddress? Source, IReadOnlyList<string>? Groups = null, string? LeaseToken = null)
{
    /// <summary>The name of a client that did not identify itself (a listener with no authentication).</summary>
    public const string AnonymousName = "*";

    public static Principal Anonymous(EndPoint? remote) => new(AnonymousName, (remote as IPEndPoint)?.Address);

    /// <summary>The client named <paramref name="name"/> (anonymous when null) connecting from <paramref name="remote"/>.</summary>
    public static Principal Of(string? name, EndPoint? remote) => new(name ?? AnonymousName, (remote as IPEndPoint)?.Address);

    /// <summary>The groups, empty when none.</summary>
    public IReadOnlyList<string> GroupList => Groups ?? [];

    /// <summary>Name and source only: a lease token is a secret and never goes to a log.</summary>
    public override string ToString() => Source is null ? Name : $"{Name} from {Source}";
}
