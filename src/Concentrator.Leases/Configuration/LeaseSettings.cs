using Concentrator.Ports.Configuration;

namespace Concentrator.Leases.Configuration;

/// <summary>Which database keeps leases and their audit trail.</summary>
public enum LeaseStoreKind { Sqlite, PostgreSql }

/// <summary>
/// Where leases are kept: an SQLite file (<see cref="Target"/> is its full path) or a PostgreSQL server
/// (<see cref="Target"/> is the <c>postgresql://user:pass@host:port/db</c> URL as written).
/// </summary>
public sealed record LeaseStoreLocation(LeaseStoreKind Kind, string Target)
{
    /// <summary>For logs and messages: the URL without its password.</summary>
    public override string ToString() => Kind == LeaseStoreKind.Sqlite ? "sqlite:" + Target : PostgresUrl.WithoutPassword(Target);
}

/// <summary>
/// <c>concentrator.leases { ... }</c>: where leases persist and the limits that keep a scheduler's requests bounded.
/// </summary>
/// <param name="Store">The database.</param>
/// <param name="MaxTtl">The longest lease (and renewal) granted; longer requests are refused, naming this limit.</param>
/// <param name="MaxWait">The longest an acquire may wait in the queue for a port.</param>
/// <param name="MaxWaiters">Waiters queued per port or tag set; past it an acquire is refused at once.</param>
/// <param name="RetryInterval">How often a store that could not be opened (locked, corrupt, read-only, unreachable) is tried again.</param>
public sealed record LeaseSettings(LeaseStoreLocation Store, TimeSpan MaxTtl, TimeSpan MaxWait, int MaxWaiters, TimeSpan RetryInterval)
{
    public static readonly TimeSpan DefaultMaxTtl = TimeSpan.FromDays(7);
    public static readonly TimeSpan DefaultMaxWait = TimeSpan.FromDays(1);
    public const int DefaultMaxWaiters = 256;
    public static readonly TimeSpan DefaultRetryInterval = TimeSpan.FromSeconds(5);

    /// <summary>The defaults, with the SQLite file <c>leases.db</c> in the daemon's <see cref="StateDirectory"/>.</summary>
    public static LeaseSettings Default() => new(
        new LeaseStoreLocation(LeaseStoreKind.Sqlite, Path.GetFullPath(Path.Combine(StateDirectory.Resolve(), "leases.db"))),
        DefaultMaxTtl, DefaultMaxWait, DefaultMaxWaiters, DefaultRetryInterval);
}
