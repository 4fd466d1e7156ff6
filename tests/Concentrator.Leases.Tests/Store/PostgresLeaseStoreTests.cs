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
