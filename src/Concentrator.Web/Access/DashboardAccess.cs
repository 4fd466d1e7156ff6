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

    /// <summary>Everything.</summary>
    All = View | Terminal | Operate,
}

/// <summary>Who a caller is (<see cref="Principal"/>, shown in session lists and logs) and what it may do.</summary>
public sealed record DashboardAccess(string Principal, DashboardRights Rights)
{
    public static DashboardAccess Denied { get; } = new("*", DashboardRights.None);

    public bool Can(DashboardRights rights) => (Rights & rights) == rights;
}
