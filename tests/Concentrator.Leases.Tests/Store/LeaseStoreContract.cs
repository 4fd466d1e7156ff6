using System.Net;
using Concentrator.Leases.Domain;
using Concentrator.Leases.Store;

namespace Concentrator.Leases.Tests.Store;

/// <summary>What every lease store does, run against SQLite and PostgreSQL alike.</summary>
public abstract class LeaseStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset LongAgo = T0 - TimeSpan.FromDays(30);

    /// <summary>A store on a new, empty database.</summary>
    protected abstract ILeaseStore NewStore();

    /// <summary>Another store on the database of the last <see cref="NewStore"/> (a daemon restart).</summary>
    protected abstract ILeaseStore SameDatabase();

    /// <summary>Runs SQL directly on that database.</summary>
    protected abstract void Execute(string sql);

    private static Lease Lease(string id, string port, long epoch, TimeSpan ttl, string? requestId = null, IPAddress? forHost = null) =>
        new(id, port, "ci-runner", forHost, "token-" + id, epoch, requestId, 3, ttl, "127.0.0.1:7001", T0, T0 + ttl, ttl);

    private static LeaseChange Change(LeaseEventKind kind, Lease lease, DateTimeOffset at, string? by = null, string? detail = null) =>
        new(kind, lease, at, by, detail);

    [Fact]
    public async Task An_empty_database_gets_the_schema_holds_nothing_and_opens_again()
    {
        await using (var store = NewStore())
        {
            var stored = await store.OpenAsync(LongAgo, default);
            Assert.Empty(stored.Leases);
            Assert.Empty(stored.Epochs);
        }

        await using var again = SameDatabase();
        Assert.Empty((await again.OpenAsync(LongAgo, default)).Leases);
    }

    [Fact]
    public async Task Leases_come_back_after_a_restart_with_every_field_and_ended_ones_say_how()
    {
        var held = Lease("A", "rpi-1", 4, TimeSpan.FromHours(1), "job-1", IPAddress.Parse("10.1.2.3"));
        var renewed = held with { Ttl = TimeSpan.FromHours(2), Expires = T0 + TimeSpan.FromHours(3) };
        var gone = Lease("B", "rpi-2", 1, TimeSpan.FromMinutes(5));
        await using (var store = NewStore())
        {
            await store.OpenAsync(LongAgo, default);
            await store.WriteAsync([Change(LeaseEventKind.Granted, held, T0), Change(LeaseEventKind.Granted, gone, T0)], default);
            await store.WriteAsync([Change(LeaseEventKind.Renewed, renewed, T0 + TimeSpan.FromHours(1), "ci-runner"),
                Change(LeaseEventKind.Revoked, gone, T0 + TimeSpan.FromMinutes(1), "ops", "cable swap")], default);
        }

        await using var restarted = SameDatabase();
        var stored = await restarted.OpenAsync(LongAgo, default);

        var active = Assert.Single(stored.Leases, s => s.EndedHow is null);
        Assert.Equal(renewed with { Deadline = TimeSpan.Zero }, active.Lease);
        var ended = Assert.Single(stored.Leases, s => s.EndedHow is not null);
        Assert.Equal((LeaseEventKind.Revoked, T0 + TimeSpan.FromMinutes(1), "ops"), (ended.EndedHow!.Value, ended.EndedAt!.Value, ended.EndedBy));
        Assert.Equal(new Dictionary<string, long> { ["rpi-1"] = 4, ["rpi-2"] = 1 }, stored.Epochs);
    }

    [Fact]
    public async Task Epochs_never_go_back_and_outlive_the_ended_leases_that_are_forgotten()
    {
        await using (var store = NewStore())
        {
            await store.OpenAsync(LongAgo, default);
            var newer = Lease("N", "p", 7, TimeSpan.FromMinutes(1));
            var older = Lease("O", "p", 5, TimeSpan.FromMinutes(1));
            await store.WriteAsync([Change(LeaseEventKind.Granted, newer, T0), Change(LeaseEventKind.Released, newer, T0, "ci-runner"),
                Change(LeaseEventKind.Granted, older, T0), Change(LeaseEventKind.Expired, older, T0)], default);
        }

        await using var restarted = SameDatabase();
        var stored = await restarted.OpenAsync(T0 + TimeSpan.FromDays(2), default); // both ended long before: forgotten

        Assert.Empty(stored.Leases);
        Assert.Equal(7, stored.Epochs["p"]);
    }

    [Fact]
    public async Task The_audit_trail_has_one_row_per_change_in_order_with_who_what_when_epoch_and_request_id()
    {
        var lease = Lease("A", "rpi-1", 2, TimeSpan.FromMinutes(10), "job-9");
        await using var store = NewStore();
        await store.OpenAsync(LongAgo, default);
        await store.WriteAsync([Change(LeaseEventKind.Granted, lease, T0, "ci-runner")], default);
        await store.WriteAsync([Change(LeaseEventKind.Expired, lease, T0 + TimeSpan.FromMinutes(10), null, "ttl ran out")], default);

        var audit = await store.ReadAuditAsync(0, 100, default);

        Assert.Equal([LeaseEventKind.Granted, LeaseEventKind.Expired], audit.Select(a => a.Event));
        Assert.True(audit[0].Seq < audit[1].Seq);
        Assert.Equal(("A", "rpi-1", "ci-runner", "ci-runner", 2L, "job-9", T0), (audit[0].LeaseId, audit[0].Port, audit[0].Holder, audit[0].By,
            audit[0].Epoch, audit[0].RequestId, audit[0].At));
        Assert.Equal(("ttl ran out", T0 + TimeSpan.FromMinutes(10)), (audit[1].Detail, audit[1].At));
        Assert.Single(await store.ReadAuditAsync(audit[0].Seq, 100, default));
    }

    [Fact]
    public async Task A_database_from_a_newer_daemon_is_refused_and_left_untouched()
    {
        await using (var store = NewStore())
        {
            await store.OpenAsync(LongAgo, default);
        }

        Execute("UPDATE lease_schema SET version = 99");
        await using var older = SameDatabase();

        var error = await Assert.ThrowsAsync<LeaseStoreException>(() => older.OpenAsync(LongAgo, default));
        Assert.Contains("schema version 99, newer than this daemon's", error.Message, StringComparison.Ordinal);
    }
}
