using Concentrator.Leases.Configuration;
using Concentrator.Leases.Domain;
using Concentrator.Leases.Store;
using Concentrator.Leases.Tests.Support;
using Concentrator.Ports.Configuration;

namespace Concentrator.Leases.Tests.Store;

[Collection(PostgresCollection.Name)]
public sealed class PostgresLeaseStoreTests(PostgresServer server) : LeaseStoreContract
{
    private string _url = "";

    protected override ILeaseStore NewStore() => new PostgresLeaseStore(_url = server.NewDatabaseUrl());

    protected override ILeaseStore SameDatabase() => new PostgresLeaseStore(_url);

    protected override void Execute(string sql)
    {
        Assert.True(PostgresUrl.TryParse(_url, out var parts, out _));
        server.Admin(sql, parts.Database);
    }

    [Fact]
    public async Task Cluster_nodes_sharing_one_database_keep_their_leases_apart_in_a_schema_each()
    {
        var url = server.NewDatabaseUrl();
        var t0 = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        var lease = new Lease("A", "rpi-1", "ci", null, "token-A", 3, null, 0, TimeSpan.FromHours(1), "10.0.0.5:7001", t0, t0.AddHours(1),
            TimeSpan.FromHours(1));
        await using (var rackA = (PostgresLeaseStore)LeaseStores.Create(new LeaseStoreLocation(LeaseStoreKind.PostgreSql, url), "rack-a"))
        {
            Assert.Contains("schema rack_a", rackA.Name, StringComparison.Ordinal);
            await rackA.OpenAsync(t0.AddDays(-1), default);
            await rackA.WriteAsync([new LeaseChange(LeaseEventKind.Granted, lease, t0, "ci", null)], default);
        }

        // rack-b opens the same database: nothing of rack-a's (it would end a lease of a port it does not have).
        await using (var rackB = (PostgresLeaseStore)LeaseStores.Create(new LeaseStoreLocation(LeaseStoreKind.PostgreSql, url), "rack-b"))
        {
            var b = await rackB.OpenAsync(t0.AddDays(-1), default);
            Assert.Empty(b.Leases);
            Assert.Empty(b.Epochs);
        }

        // A schema named in the URL wins over the node name.
        await using (var named = new PostgresLeaseStore(url + "?schema=rack_a", "other"))
        {
            var a = await named.OpenAsync(t0.AddDays(-1), default);
            Assert.Equal("A", Assert.Single(a.Leases).Lease.Id);
        }

        Assert.False(PostgresUrl.TryParse(url + "?schema=Rack-A", out _, out var problem));
        Assert.Contains("schema=Rack-A", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_and_an_unreachable_server_are_said_plainly_without_the_password()
    {
        var url = server.NewDatabaseUrl();
        await using (var store = new PostgresLeaseStore(url))
        {
            await store.OpenAsync(DateTimeOffset.UnixEpoch, default); // the right password works
        }

        var wrongPassword = url.Replace(":s3cret", ":guess", StringComparison.Ordinal);
        await using var impostor = new PostgresLeaseStore(wrongPassword);
        var refused = await Assert.ThrowsAsync<LeaseStoreException>(() => impostor.OpenAsync(DateTimeOffset.UnixEpoch, default));
        Assert.Contains("wrong user name or password", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("guess", refused.Message, StringComparison.Ordinal);

        var unreachable = url.Replace($":{server.Port}/", ":1/", StringComparison.Ordinal);
        await using var nowhere = new PostgresLeaseStore(unreachable);
        var error = await Assert.ThrowsAsync<LeaseStoreException>(() => nowhere.OpenAsync(DateTimeOffset.UnixEpoch, default));
        Assert.Contains("cannot be reached", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
        Assert.Contains("***", error.Message, StringComparison.Ordinal);
    }
}
