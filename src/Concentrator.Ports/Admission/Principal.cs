using System.Net;

namespace Concentrator.Ports.Admission;

/// <summary>How a principal was identified. Names of different kinds never stand for each other.</summary>
public enum PrincipalKind
{
    /// <summary>Not identified (a listener without authentication), or identified by nothing an ACL can name.</summary>
    Anonymous,

    /// <summary>A users-file login (password listeners, the dashboard's password login): ACL entry "alice", "@group".</summary>
    User,

    /// <summary>A TLS client certificate signed by the listener's client CA: name and ACL entry "cert:CN".</summary>
    Certificate,

    /// <summary>SSH entry (the system's sshd vouched for the user): name and ACL entry "ssh:user".</summary>
    Ssh,

    /// <summary>A caller of the dashboard or API (an API token's name, or "local" for a loopback caller): ACL entry "web:NAME".</summary>
    Web,
}

/// <summary>
/// Who a client is, as admission rules see it: a name ("*" for anonymous, "alice" for a users-file login,
/// "cert:CN" for a client certificate, "ssh:user" for SSH entry, an API token's name or "local" for the dashboard), its
/// <see cref="Kind"/>, the address it connects from, the groups ACLs name as "@group" (users-file logins only), and
/// the lease token it presented, if any: a session that shows the token of the port's lease is the holder whoever it
/// is. The kind decides which ACL entries can name it: a token called "alice" is not the user alice, and a user called
/// "cert:ci" is not the certificate. A principal made without a kind is <see cref="PrincipalKind.Anonymous"/>, which
/// only "*" names.
/// </summary>
public sealed record Principal(string Name, IPAddress? Source, IReadOnlyList<string>? Groups = null, string? LeaseToken = null)
{
    public PrincipalKind Kind { get; init; } = PrincipalKind.Anonymous;

    /// <summary>A users-file login.</summary>
    public static Principal User(string name, IPAddress? source, IReadOnlyList<string>? groups = null) =>
        new(name, source, groups) { Kind = PrincipalKind.User };
    /// <summary>The name of a client that did not identify itself (a listener with no authentication).</summary>
    public const string AnonymousName = "*";

    public static Principal Anonymous(EndPoint? remote) => new(AnonymousName, (remote as IPEndPoint)?.Address);

    /// <summary>A dashboard or API caller named <paramref name="name"/> (anonymous when null) connecting from <paramref name="remote"/>.</summary>
    public static Principal Web(string? name, EndPoint? remote) => name is null
        ? Anonymous(remote)
        : new(name, (remote as IPEndPoint)?.Address) { Kind = PrincipalKind.Web };

    /// <summary>
    /// Whether an ACL or lease-holder entry names this principal: "*" anyone; "@group" a users-file login in that group;
    /// "cert:CN", "ssh:user" a certificate or SSH principal of that name; "web:NAME" a dashboard or API caller; anything
    /// else a users-file login. A name of one kind never matches an entry of another.
    /// </summary>
    public bool IsNamedBy(string entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry == AnonymousName)
        {
            return true;
        }

        if (entry.StartsWith('@'))
        {
            return Kind == PrincipalKind.User && GroupList.Contains(entry[1..], StringComparer.Ordinal);
        }

        var (kind, name) = entry switch
        {
            _ when entry.StartsWith("cert:", StringComparison.Ordinal) => (PrincipalKind.Certificate, entry),
            _ when entry.StartsWith("ssh:", StringComparison.Ordinal) => (PrincipalKind.Ssh, entry),
            _ when entry.StartsWith("web:", StringComparison.Ordinal) => (PrincipalKind.Web, entry[4..]),
            _ => (PrincipalKind.User, entry),
        };
        return Kind == kind && string.Equals(name, Name, StringComparison.Ordinal);
    }

    /// <summary>The groups, empty when none.</summary>
    public IReadOnlyList<string> GroupList => Groups ?? [];

    /// <summary>Name and source only: a lease token is a secret and never goes to a log.</summary>
    public override string ToString() => Source is null ? Name : $"{Name} from {Source}";
}
