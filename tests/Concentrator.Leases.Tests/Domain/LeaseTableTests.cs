using Concentrator.Leases.Domain;
using Concentrator.Leases.Tests.Support;

namespace Concentrator.Leases.Tests.Domain;

public sealed class LeaseTableTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Ten = TimeSpan.FromMinutes(10);

    private static LeaseInstant At(TimeSpan since) => new(since, Start + since);

    private static readonly LeaseInstant T0 = At(TimeSpan.Zero);

    private static LeaseTable Table(IReadOnlyList<LeasablePort>? ports = null, LeaseLimits? limits = null) =>
        LeaseTable.Create(limits ?? LeaseLimits.Default, new CountingIdentities(), ports ?? TestPorts.Rack());

    private static AcquireLease Named(string port, string holder = "ci", TimeSpan? ttl = null, TimeSpan? wait = null, int priority = 0,
        string? requestId = null) => new(port, null, ttl ?? Ten, wait ?? TimeSpan.Zero, holder, null, priority, requestId);

    private static AcquireLease Tagged(string[] tags, string holder = "ci", TimeSpan? ttl = null, TimeSpan? wait = null, int priority = 0,
        string? requestId = null) => new(null, tags, ttl ?? Ten, wait ?? TimeSpan.Zero, holder, null, priority, requestId);

    private static LeaseGranted Granted(LeaseStep step) => Assert.IsType<LeaseGranted>(step.Answer);

    [Fact]
    public void A_free_named_port_is_granted_with_an_endpoint_a_token_epoch_1_and_an_expiry_ttl_from_now()
    {
        var step = Table().Acquire(Named("rpi-1", ttl: Ten), T0);

        var grant = Granted(step);
        Assert.Equal("rpi-1", grant.Lease.Port);
        Assert.Equal(TestPorts.Port("rpi-1").Endpoint, grant.Lease.Endpoint);
        Assert.Equal(1, grant.Lease.Epoch);
        Assert.Equal(Start + Ten, grant.Lease.Expires);
        Assert.False(string.IsNullOrEmpty(grant.Token));
        var change = Assert.Single(step.Changes);
        Assert.Equal(LeaseEventKind.Granted, change.Kind);
        Assert.Equal(grant.Lease.Id, step.Table.Current("rpi-1")!.Id);
    }

    [Fact]
    public void A_leased_port_is_refused_at_once_without_a_wait_and_nothing_changes()
    {
        var table = Table().Acquire(Named("rpi-1", holder: "a"), T0).Table;

        var step = table.Acquire(Named("rpi-1", holder: "b"), T0);

        var refused = Assert.IsType<LeaseNotGranted>(step.Answer);
        Assert.Contains("leased to a", refused.Reason, StringComparison.Ordinal);
        Assert.Empty(step.Changes);
        Assert.Empty(step.Table.Queue);
    }

    [Fact]
    public void A_tag_request_gets_a_free_port_that_has_every_tag()
    {
        var table = Table();
        var first = Granted(table.Acquire(Tagged(["board:rpi4", "rack-3"]), T0) is var s1 ? s1 : null!);
        var second = Granted(s1.Table.Acquire(Tagged(["rack-3", "board:rpi4"]), T0) is var s2 ? s2 : null!);
        var imx = Granted(s2.Table.Acquire(Tagged(["board:imx8"]), T0));

        Assert.Equal(["rpi-1", "rpi-2"], new[] { first.Lease.Port, second.Lease.Port });
        Assert.Equal("imx-1", imx.Lease.Port);
        Assert.IsType<LeaseNotGranted>(s2.Table.Acquire(Tagged(["board:rpi4"]), T0).Answer);
    }

    [Fact]
    public void Unknown_ports_and_tags_are_named_in_the_not_found_answer()
    {
        var table = Table();
        Assert.Equal("port 'nope'", Assert.IsType<LeaseNotFound>(table.Acquire(Named("nope"), T0).Answer).What);
        Assert.Contains("'board:vax'", Assert.IsType<LeaseNotFound>(table.Acquire(Tagged(["board:vax", "pool"]), T0).Answer).What,
            StringComparison.Ordinal);
        Assert.Contains("no port has them all", Assert.IsType<LeaseNotFound>(table.Acquire(Tagged(["board:rpi4", "board:imx8"]), T0).Answer).What,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-60)]
    [InlineData(8 * 24 * 3600)]
    public void A_ttl_that_is_zero_negative_or_past_the_limit_is_invalid_and_the_answer_names_the_limit(int seconds)
    {
        var step = Table().Acquire(Named("rpi-1", ttl: TimeSpan.FromSeconds(seconds)), T0);

        var invalid = Assert.IsType<LeaseInvalid>(step.Answer);
        Assert.Contains("at most 7d (max-ttl)", invalid.Problem, StringComparison.Ordinal);
        Assert.Empty(step.Changes);
    }

    [Fact]
    public void Other_bad_requests_are_invalid_with_the_reason()
    {
        var table = Table();
        Assert.Contains("either a port or at least one tag", Assert.IsType<LeaseInvalid>(table.Acquire(
            new AcquireLease("rpi-1", ["pool"], Ten, TimeSpan.Zero, "ci"), T0).Answer).Problem, StringComparison.Ordinal);
        Assert.Contains("forHost", Assert.IsType<LeaseInvalid>(table.Acquire(
            new AcquireLease("rpi-1", null, Ten, TimeSpan.Zero, "ci", ForHost: "host.example"), T0).Answer).Problem, StringComparison.Ordinal);
        Assert.Contains("max-wait", Assert.IsType<LeaseInvalid>(table.Acquire(Named("rpi-1", wait: TimeSpan.FromDays(2)), T0).Answer).Problem,
            StringComparison.Ordinal);
        Assert.Contains("holder", Assert.IsType<LeaseInvalid>(table.Acquire(Named("rpi-1", holder: " "), T0).Answer).Problem,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Waiters_are_served_by_priority_then_arrival()
    {
        var table = Table().Acquire(Named("rpi-1", holder: "owner"), T0).Table;
        var wait = TimeSpan.FromHours(1);
        table = table.Acquire(Named("rpi-1", holder: "low-early", wait: wait, priority: 0), T0).Table;
        table = table.Acquire(Named("rpi-1", holder: "high-late", wait: wait, priority: 5), T0).Table;
        table = table.Acquire(Named("rpi-1", holder: "low-late", wait: wait, priority: 0), T0).Table;
        table = table.Acquire(Named("rpi-1", holder: "high-later", wait: wait, priority: 5), T0).Table;

        var order = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var lease = table.Current("rpi-1")!;
            var step = table.Release(new ReleaseLease(lease.Id, lease.Token), T0);
            table = step.Table;
            order.Add(Assert.IsType<LeaseGranted>(Assert.Single(step.Waiters).Answer).Lease.Holder);
        }

        Assert.Equal(["high-late", "high-later", "low-early", "low-late"], order);
    }

    [Fact]
    public void A_tag_waiter_and_a_named_waiter_share_the_port_in_queue_order()
    {
        var table = Table(TestPorts.Rack(rpi: 1, imx: 0)).Acquire(Named("rpi-1", holder: "owner"), T0).Table;
        var wait = TimeSpan.FromHours(1);
        var tagStep = table.Acquire(Tagged(["board:rpi4"], holder: "by-tag", wait: wait), T0);
        var nameStep = tagStep.Table.Acquire(Named("rpi-1", holder: "by-name", wait: wait), T0);
        Assert.NotNull(tagStep.QueuedAs);
        Assert.NotNull(nameStep.QueuedAs);

        var lease = nameStep.Table.Current("rpi-1")!;
        var released = nameStep.Table.Release(new ReleaseLease(lease.Id, lease.Token), T0);

        var done = Assert.Single(released.Waiters);
        Assert.Equal(tagStep.QueuedAs, done.Seq);
        Assert.Equal("by-tag", Assert.IsType<LeaseGranted>(done.Answer).Lease.Holder);
    }

    [Fact]
    public void An_expired_lease_ends_at_its_deadline_and_the_next_waiter_gets_the_port_with_the_next_epoch()
    {
        var table = Table().Acquire(Named("rpi-1", holder: "a", ttl: Ten), T0).Table;
        table = table.Acquire(Named("rpi-1", holder: "b", wait: TimeSpan.FromHours(1)), T0).Table;
        Assert.Equal(Ten, table.NextDue);

        Assert.Empty(table.Advance(At(Ten - TimeSpan.FromMilliseconds(1))).Changes);
        var step = table.Advance(At(Ten));

        Assert.Equal([LeaseEventKind.Expired, LeaseEventKind.Granted], step.Changes.Select(c => c.Kind));
        var grant = Assert.IsType<LeaseGranted>(Assert.Single(step.Waiters).Answer);
        Assert.Equal(("b", 2L), (grant.Lease.Holder, grant.Lease.Epoch));
        Assert.Equal(Start + Ten + Ten, grant.Lease.Expires);
    }

    [Fact]
    public void A_wait_that_runs_out_is_answered_not_granted_and_leaves_the_queue()
    {
        var table = Table().Acquire(Named("rpi-1", holder: "a", ttl: TimeSpan.FromHours(1)), T0).Table;
        var queued = table.Acquire(Named("rpi-1", holder: "b", wait: TimeSpan.FromMinutes(2)), T0);

        var step = queued.Table.Advance(At(TimeSpan.FromMinutes(2)));

        var done = Assert.Single(step.Waiters);
        Assert.Equal(queued.QueuedAs, done.Seq);
        Assert.Contains("within the wait of 2m", Assert.IsType<LeaseNotGranted>(done.Answer).Reason, StringComparison.Ordinal);
        Assert.Empty(step.Table.Queue);
    }

    [Fact]
    public void When_a_lease_expires_just_as_a_wait_ends_the_waiter_still_gets_the_port()
    {
        var table = Table().Acquire(Named("rpi-1", holder: "a", ttl: Ten), T0).Table;
        table = table.Acquire(Named("rpi-1", holder: "b", wait: Ten), T0).Table;

        var step = table.Advance(At(TimeSpan.FromHours(1))); // both came due while nobody looked

        Assert.IsType<LeaseGranted>(Assert.Single(step.Waiters).Answer);
    }

    [Fact]
    public void The_queue_of_a_port_or_tag_set_is_bounded_and_refused_past_the_cap_with_a_clear_answer()
    {
        var limits = LeaseLimits.Default with { MaxWaiters = 2 };
        var table = Table(limits: limits).Acquire(Named("rpi-1", holder: "owner"), T0).Table;
        var wait = TimeSpan.FromHours(1);
        table = table.Acquire(Named("rpi-1", holder: "w1", wait: wait), T0).Table;
        table = table.Acquire(Named("rpi-1", holder: "w2", wait: wait), T0).Table;

        var full = Assert.IsType<LeaseQueueFull>(table.Acquire(Named("rpi-1", holder: "w3", wait: wait), T0).Answer);
        Assert.Contains("2 requests already wait for port rpi-1 (max-waiters)", full.Reason, StringComparison.Ordinal);
        var taken = table.Acquire(Named("imx-1", holder: "owner"), T0).Table;
        Assert.Null(taken.Acquire(Named("imx-1", holder: "w4", wait: wait), T0).Answer); // another port, another queue: it waits
    }

    [Fact]
    public void Renewal_extends_from_now_and_a_renewed_lease_outlives_its_first_deadline()
    {
        var table = Table().Acquire(Named("rpi-1", ttl: Ten), T0).Table;
        var lease = table.Current("rpi-1")!;

        var renewed = table.Renew(new RenewLease(lease.Id, lease.Token, TimeSpan.FromMinutes(30)), At(TimeSpan.FromMinutes(9)));

        Assert.Equal(Start + TimeSpan.FromMinutes(39), Assert.IsType<LeaseRenewed>(renewed.Answer).Lease.Expires);
        Assert.Empty(renewed.Table.Advance(At(TimeSpan.FromMinutes(38))).Changes);
        Assert.Equal(LeaseEventKind.Expired, Assert.Single(renewed.Table.Advance(At(TimeSpan.FromMinutes(39))).Changes).Kind);
    }

    [Fact]
    public void A_wrong_token_is_forbidden_and_changes_nothing()
    {
        var table = Table().Acquire(Named("rpi-1"), T0).Table;
        var lease = table.Current("rpi-1")!;

        var renew = table.Renew(new RenewLease(lease.Id, "guess"), T0);
        var release = table.Release(new ReleaseLease(lease.Id, "guess"), T0);

        Assert.IsType<LeaseForbidden>(renew.Answer);
        Assert.IsType<LeaseForbidden>(release.Answer);
        Assert.Empty(renew.Changes);
        Assert.Empty(release.Changes);
        Assert.Equal(lease, release.Table.Current("rpi-1"));
    }

    [Fact]
    public void Renewing_after_expiry_is_gone_even_before_a_timer_ran()
    {
        var table = Table().Acquire(Named("rpi-1", ttl: Ten), T0).Table;
        var lease = table.Current("rpi-1")!;

        var step = table.Renew(new RenewLease(lease.Id, lease.Token), At(Ten + TimeSpan.FromSeconds(1)));

        Assert.Contains("expired", Assert.IsType<LeaseGone>(step.Answer).Reason, StringComparison.Ordinal);
        Assert.Equal(LeaseEventKind.Expired, Assert.Single(step.Changes).Kind);
        Assert.IsType<LeaseNotFound>(table.Renew(new RenewLease("L999", "x"), T0).Answer);
    }

    [Fact]
    public void Revoke_ends_the_lease_and_says_who()
    {
        var table = Table().Acquire(Named("rpi-1"), T0).Table;
        var lease = table.Current("rpi-1")!;

        var step = table.Revoke(new RevokeLease(lease.Id, "ops", "board on fire"), T0);

        Assert.Equal(LeaseEventKind.Revoked, Assert.IsType<LeaseEnded>(step.Answer).How);
        var change = Assert.Single(step.Changes);
        Assert.Equal(("ops", "board on fire"), (change.By, change.Detail));
        Assert.Null(step.Table.Current("rpi-1"));
        Assert.IsType<LeaseGone>(step.Table.Revoke(new RevokeLease(lease.Id, "ops"), T0).Answer);
    }

    [Fact]
    public void A_retried_request_id_gets_the_same_lease_back_never_a_second_one()
    {
        var first = Table().Acquire(Tagged(["pool"], holder: "ci", requestId: "job-7"), T0);
        var retry = first.Table.Acquire(Tagged(["pool"], holder: "ci", requestId: "job-7"), T0);

        Assert.Equal(Granted(first), Granted(retry));
        Assert.Empty(retry.Changes);
        Assert.Single(retry.Table.Active);

        var other = retry.Table.Acquire(Tagged(["pool"], holder: "someone-else", requestId: "job-7"), T0);
        Assert.NotEqual(Granted(first).Lease.Id, Granted(other).Lease.Id); // request ids are per holder
    }

    [Fact]
    public void A_retry_while_queued_joins_the_same_wait_and_after_the_lease_ended_is_gone()
    {
        var table = Table(TestPorts.Rack(rpi: 1, imx: 0)).Acquire(Named("rpi-1", holder: "owner"), T0).Table;
        var queued = table.Acquire(Named("rpi-1", holder: "ci", wait: Ten, requestId: "r1"), T0);
        var retried = queued.Table.Acquire(Named("rpi-1", holder: "ci", wait: Ten, requestId: "r1"), T0);
        Assert.Equal(queued.QueuedAs, retried.QueuedAs);
        Assert.Single(retried.Table.Queue);

        var owner = retried.Table.Current("rpi-1")!;
        var handed = retried.Table.Release(new ReleaseLease(owner.Id, owner.Token), T0).Table;
        var ours = handed.Current("rpi-1")!;
        var released = handed.Release(new ReleaseLease(ours.Id, ours.Token), T0).Table;

        var late = released.Acquire(Named("rpi-1", holder: "ci", requestId: "r1"), T0);
        Assert.Contains("already got a lease", Assert.IsType<LeaseGone>(late.Answer).Reason, StringComparison.Ordinal);
        Assert.Empty(late.Changes);
    }

    [Fact]
    public void A_port_that_leaves_the_configuration_has_its_lease_revoked_and_keeps_its_epoch_when_it_returns()
    {
        var table = Table().Acquire(Named("imx-1"), T0).Table;
        var queuedStep = table.Acquire(Named("imx-1", holder: "w", wait: Ten), T0);

        var removed = queuedStep.Table.WithPorts(TestPorts.Rack(imx: 0), T0);
        Assert.Equal(LeaseEventKind.Revoked, Assert.Single(removed.Changes).Kind);
        Assert.IsType<LeaseNotFound>(Assert.Single(removed.Waiters).Answer);
        Assert.IsType<LeaseNotFound>(removed.Table.Acquire(Named("imx-1"), T0).Answer);

        var back = removed.Table.WithPorts(TestPorts.Rack(), T0).Table;
        Assert.Equal(2, Granted(back.Acquire(Named("imx-1"), T0)).Lease.Epoch);
    }

    [Fact]
    public void A_new_port_goes_to_a_waiting_tag_request_at_once()
    {
        var table = Table(TestPorts.Rack(rpi: 1, imx: 0)).Acquire(Named("rpi-1"), T0).Table;
        var queued = table.Acquire(Tagged(["board:rpi4"], holder: "w", wait: Ten), T0);

        var step = queued.Table.WithPorts(TestPorts.Rack(rpi: 2, imx: 0), T0);

        Assert.Equal("rpi-2", Assert.IsType<LeaseGranted>(Assert.Single(step.Waiters).Answer).Lease.Port);
    }

    [Fact]
    public void A_restore_keeps_unexpired_leases_with_their_epoch_and_remaining_time_and_expires_the_rest()
    {
        var table = Table().Acquire(Named("rpi-1", ttl: TimeSpan.FromHours(1)), T0).Table;
        table = table.Acquire(Named("rpi-2", ttl: Ten), T0).Table;
        var kept = table.Current("rpi-1")!;
        var lapsed = table.Current("rpi-2")!;
        var stored = new StoredLeases([new(kept), new(lapsed)], new Dictionary<string, long> { ["rpi-1"] = 1, ["rpi-2"] = 4 });

        // The daemon comes back 30 minutes later (wall clock); its monotonic clock starts again near zero.
        var reborn = new LeaseInstant(TimeSpan.FromSeconds(1), Start + TimeSpan.FromMinutes(30));
        var step = LeaseTable.Restore(stored, TestPorts.Rack(), LeaseLimits.Default, new CountingIdentities(), reborn);

        var restored = step.Table.Current("rpi-1")!;
        Assert.Equal((kept.Id, kept.Epoch, kept.Token, kept.Expires), (restored.Id, restored.Epoch, restored.Token, restored.Expires));
        Assert.Equal(TimeSpan.FromSeconds(1) + TimeSpan.FromMinutes(30), restored.Deadline);
        var expired = Assert.Single(step.Changes);
        Assert.Equal((LeaseEventKind.Expired, lapsed.Id), (expired.Kind, expired.Lease.Id));
        Assert.Contains("not running", expired.Detail, StringComparison.Ordinal);
        Assert.Null(step.Table.Current("rpi-2"));
        Assert.Equal(5, Granted(step.Table.Acquire(Named("rpi-2"), reborn)).Lease.Epoch); // the stored epoch, never back
        Assert.IsType<LeaseGone>(step.Table.Renew(new RenewLease(lapsed.Id, lapsed.Token), reborn).Answer);
    }
}
