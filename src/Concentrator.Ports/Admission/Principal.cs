using System.Net;

namespace Concentrator.Ports.Admission;

/// <summary>
/// Who a client is, as admission rules see it: a name ("*" for anonymous, "alice" for a users-file login,
/// "cert:CN" for a client certificate, "ssh:user" for SSH entry), the address it connects from, and the groups
/// ACLs name as "@group" (users-file logins only).
/// </summary>
public sealed record Principal(string Name, IPAddress? Source, IReadOnlyList<string>? Groups = null)
{
    /// <summary>The name of a client that did not identify itself (a listener with no authentication).</summary>
    public const string AnonymousName = "*";

    public static Principal Anonymous(EndPoint? remote) => new(AnonymousName, (remote as IPEndPoint)?.Address);

    /// <summary>The groups, empty when none.</summary>
    public IReadOnlyList<string> GroupList => Groups ?? [];

    public override string ToString() => Source is null ? Name : $"{Name} from {Source}";
}
