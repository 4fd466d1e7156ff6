using System.Net;
using Who = Concentrator.Ports.Admission.Principal;

namespace Concentrator.Web.Access;

/// <summary>What a caller of the dashboard may do.</summary>
[Flags]
public enum DashboardRights
{
    /// <summary>Nothing: every page, feed and action answers 403.</summary>
    None = 0,

    /// <summary>See the dashboard, its live feed, the scrollback, and watch a port in a read-only terminal.</summary>
    View = 1,

    /// <summary>Type into a browser terminal (its session is admitted read-write, subject to the port's write policy).</summary>
    Terminal = 2,

    /// <summary>Kick sessions, send breaks, change line settings.</summary>
    Operate = 4,

    /// <summary>See the recordings and play them (what people typed and saw: an audit or admin token).</summary>
    Audit = 8,

    /// <summary>Everything.</summary>
    All = View | Terminal | Operate | Audit,
}

/// <summary>
/// Who a caller is (<see cref="Principal"/>, shown in session lists and logs) and what it may do. A caller is a web
/// principal (an API token's name, or "local"), which port ACLs name as "web:NAME", or, signed in with a password, a
/// users-file user (<see cref="IsUser"/>), which ACLs name as "alice" and "@group" exactly as on the serial listeners.
/// </summary>
public sealed record DashboardAccess(string Principal, DashboardRights Rights)
{
    public static DashboardAccess Denied { get; } = new("*", DashboardRights.None);

    /// <summary>A users-file login rather than a web principal.</summary>
    public bool IsUser { get; private init; }

    /// <summary>A users-file login's groups (ACL entries "@group"); empty for web principals.</summary>
    public IReadOnlyList<string> Groups { get; private init; } = [];

    /// <summary>The users-file user <paramref name="name"/> of <paramref name="groups"/>.</summary>
    public static DashboardAccess User(string name, IReadOnlyList<string> groups, DashboardRights rights) =>
        new(name, rights) { IsUser = true, Groups = groups };

    public bool Can(DashboardRights rights) => (Rights & rights) == rights;

    /// <summary>This caller as the ports' admission rules and ACLs see it, connecting from <paramref name="source"/>.</summary>
    public Who Identity(IPAddress? source) => IsUser
        ? Who.User(Principal, source, Groups)
        : Who.Web(Principal, source is null ? null : new IPEndPoint(source, 0));
}
