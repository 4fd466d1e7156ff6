using Concentrator.Leases.Configuration;

namespace Concentrator.Leases.Store;

/// <summary>Makes the store a <see cref="LeaseStoreLocation"/> names; nothing is opened until the service opens it.</summary>
public static class LeaseStores
{
    /// <param name="location">The configured store.</param>
    /// <param name="clusterNode">This node's name in a cluster: a PostgreSQL store shared by the nodes keeps each node's
    /// leases in a schema named after it, unless the URL names one.</param>
    public static ILeaseStore Create(LeaseStoreLocation location, string? clusterNode = null) => location.Kind switch
    {
        LeaseStoreKind.Sqlite => new SqliteLeaseStore(location.Target),
        _ => new PostgresLeaseStore(location.Target, clusterNode is null ? null : PostgresUrl.SchemaNameOf(clusterNode)),
    };
}
