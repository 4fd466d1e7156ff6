using System.Runtime.Versioning;
using Concentrator.Leases.Store;
using Concentrator.Leases.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Concentrator.Leases.Tests.Service;

/// <summary>
/// A lease database that is corrupt, read-only or locked: the service says so clearly, answers lease requests
/// "unavailable" (the data plane is not its business and keeps serving), retries, and works again once it is fixed.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class LeaseStoreFailureTests(ITestOutputHelper output) : LeaseServiceFixture
{
    private static readonly TimeSpan Ten = TimeSpan.FromMinutes(10);

    private void AssertUnavailable(Akka.Actor.IActorRef service, string why)
    {
        var status = Status(service);
        output.WriteLine($"status: {status.Problem}");
        Assert.False(status.Available);
        Assert.Contains(why, status.Problem, StringComparison.Ordinal);
        var answer = Ask<LeaseUnavailable>(service, new AcquireLease("rpi-1", null, Ten, TimeSpan.Zero, "ci"));
        Assert.Contains(why, answer.Reason, StringComparison.Ordinal);
        Ask<LeaseUnavailable>(service, ListLeases.Instance);
    }

    [Fact]
    public void A_corrupt_file_is_reported_and_requests_are_unavailable_until_it_is_replaced()
    {
        File.WriteAllText(DatabasePath, string.Concat(Enumerable.Repeat("this is not an SQLite database\n", 200)));
        var service = StartService();

        AssertUnavailable(service, "corrupt or is not an SQLite database");

        File.Delete(DatabasePath); // the operator moves it aside
        AwaitAvailable(service, true);
        Assert.Equal(1, Acquire(service, "rpi-1", Ten).Lease.Epoch);
    }

    [Fact]
    public void A_read_only_directory_is_reported_and_once_writable_again_the_leases_in_it_are_back()
    {
        var first = StartService();
        var lease = Acquire(first, "rpi-1", Ten);
        Stop(first);

        using (new ReadOnlyDirectory(Directory))
        {
            var second = StartService();
            AssertUnavailable(second, "read-only");
            Stop(second);
        }

        var third = StartService();
        var held = Assert.Single(Ask<LeaseList>(third, ListLeases.Instance).Leases);
        Assert.Equal((lease.Lease.Id, lease.Lease.Epoch), (held.Id, held.Epoch));
    }

    [Fact]
    public void A_directory_that_turns_read_only_while_down_is_retried_until_it_works()
    {
        using var readOnly = new ReadOnlyDirectory(Directory);
        var service = StartService();
        AssertUnavailable(service, "cannot create the database file");

        readOnly.Dispose();
        AwaitAvailable(service, true);
        Acquire(service, "rpi-1", Ten);
    }

    [Fact]
    public void A_database_locked_by_another_process_is_reported_and_retried_until_the_lock_goes()
    {
        StartServiceAndStop();
        using var other = new SqliteConnection($"Data Source={DatabasePath};Pooling=false");
        other.Open();
        using var hold = other.CreateCommand();
        hold.CommandText = "BEGIN EXCLUSIVE";
        hold.ExecuteNonQuery();

        var service = StartService();
        AssertUnavailable(service, "locked by another process");

        using var release = other.CreateCommand();
        release.CommandText = "COMMIT";
        release.ExecuteNonQuery();
        AwaitAvailable(service, true);
        Acquire(service, "rpi-1", Ten);
    }

    [Fact]
    public void A_write_that_fails_undoes_the_grant_it_carried_and_the_service_comes_back_from_what_is_stored()
    {
        var store = new ControllableStore(new SqliteLeaseStore(DatabasePath));
        var service = StartService(store: store);
        var kept = Acquire(service, "rpi-1", Ten);
        PortsProbe.ExpectMsg<Concentrator.Ports.Port.PortLeaseChanged>(Timeout);

        store.FailWrites("disk gone");
        store.FailOpens("disk gone");
        var lost = Ask<LeaseUnavailable>(service, new AcquireLease("rpi-2", null, Ten, TimeSpan.Zero, "ci"));
        Assert.Contains("disk gone", lost.Reason, StringComparison.Ordinal);
        AssertUnavailable(service, "disk gone");

        store.FailWrites(null);
        store.FailOpens(null);
        AwaitAvailable(service, true);
        var leases = Ask<LeaseList>(service, ListLeases.Instance).Leases;
        Assert.Equal(kept.Lease.Id, Assert.Single(leases).Id); // rpi-2 was never granted
        var granted = Acquire(service, "rpi-2", Ten);
        Assert.Equal(1, granted.Lease.Epoch);
        // The lost grant was never enforced. The sentinel: what the ports hear next is this grant.
        var told = PortsProbe.ExpectMsg<Concentrator.Ports.Port.PortLeaseChanged>(Timeout);
        Assert.Equal(("rpi-2", granted.Lease.Id), (told.Port, told.Lease?.LeaseId));
    }

    private void StartServiceAndStop()
    {
        var service = StartService();
        AwaitAvailable(service, true);
        Stop(service);
    }
}
