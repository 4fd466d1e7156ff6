namespace Concentrator.Leases.Store;

/// <summary>
/// The tables, as numbered migrations applied in order at start (<c>lease_schema</c> holds the version reached). The
/// SQL is shared by SQLite and PostgreSQL; the few dialect differences come in as arguments. Times are Unix
/// milliseconds (BIGINT): the same in both databases, no time zone to get wrong.
/// </summary>
internal static class LeaseSchema
{
    /// <summary>The version this build writes; a database with a higher one belongs to a newer daemon and is not touched.</summary>
    public static int Latest => Migrations(autoIncrementKey: "").Count;

    /// <summary>Migration n (1-based) is element n-1: a list of statements.</summary>
    public static IReadOnlyList<string[]> Migrations(string autoIncrementKey) =>
    [
        [
            """
            CREATE TABLE leases (
              id TEXT PRIMARY KEY,
              port TEXT NOT NULL,
              holder TEXT NOT NULL,
              for_host TEXT NULL,
              token TEXT NOT NULL,
              epoch BIGINT NOT NULL,
              request_id TEXT NULL,
              priority INTEGER NOT NULL,
              endpoint TEXT NULL,
              ttl_ms BIGINT NOT NULL,
              granted_at_ms BIGINT NOT NULL,
              expires_at_ms BIGINT NOT NULL,
              ended_at_ms BIGINT NULL,
              end_reason TEXT NULL,
              ended_by TEXT NULL
            )
            """,
            "CREATE INDEX leases_ended ON leases (ended_at_ms)",
            "CREATE TABLE lease_epochs (port TEXT PRIMARY KEY, epoch BIGINT NOT NULL)",
            $"""
            CREATE TABLE lease_audit (
              seq {autoIncrementKey},
              at_ms BIGINT NOT NULL,
              event TEXT NOT NULL,
              lease_id TEXT NOT NULL,
              port TEXT NOT NULL,
              holder TEXT NOT NULL,
              by_whom TEXT NULL,
              epoch BIGINT NOT NULL,
              request_id TEXT NULL,
              expires_at_ms BIGINT NOT NULL,
              detail TEXT NULL
            )
            """,
            "CREATE INDEX lease_audit_lease ON lease_audit (lease_id)",
        ],
    ];
}
