using Concentrator.Ports.Configuration;

namespace Concentrator.Leases.Store;

/// <summary>Makes the store a <see cref="LeaseStoreLocation"/> names; nothing is opened until the service opens it.</summary>
public static class LeaseStores
{
    public static ILeaseStore Create(LeaseStoreLocation location) => location.Kind switch
    {
        LeaseStoreKind.Sqlite => new SqliteLeaseStore(location.Target),
        _ => new PostgresLeaseStore(location.Target),
    };
}
