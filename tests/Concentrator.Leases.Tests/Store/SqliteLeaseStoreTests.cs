using Concentrator.Leases.Store;
using Concentrator.Testing;
using Microsoft.Data.Sqlite;

namespace Concentrator.Leases.Tests.Store;

public sealed class SqliteLeaseStoreTests : LeaseStoreContract, IDisposable
{
    private readonly TempDirectory _directory = new("leases-sqlite-");

    private string DatabasePath => Path.Combine(_directory.FullName, "leases.db");

    protected override ILeaseStore NewStore() => new SqliteLeaseStore(DatabasePath);

    protected override ILeaseStore SameDatabase() => new SqliteLeaseStore(DatabasePath);

    protected override void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
#pragma warning disable CA2100 // test SQL
        command.CommandText = sql;
#pragma warning restore CA2100
        command.ExecuteNonQuery();
    }

    public void Dispose() => _directory.Dispose();
}
