using System.Net;
using Concentrator.Ports.Security;

namespace Concentrator.Ports.Tests.Security;

public sealed class SourceLimiterTests
{
    private static readonly IPAddress A = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress B = IPAddress.Parse("192.0.2.2");

    [Fact]
    public void The_accept_rate_allows_a_burst_of_one_second_then_refills_and_never_touches_another_source()
    {
        var clock = new ManualClock();
        var limiter = new SourceLimiter(new SourceLimits(MaxConnectionsPerSource: 0, AcceptRatePerSource: 5), clock);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(limiter.TryAcquire(A, out _, out _));
        }

        Assert.False(limiter.TryAcquire(A, out var none, out var why));
        Assert.Null(none);
        Assert.Equal("accept-rate-per-source 5/s exceeded", why);
        Assert.True(limiter.TryAcquire(B, out _, out _));
        clock.Advance(TimeSpan.FromMilliseconds(200)); // one token back
        Assert.True(limiter.TryAcquire(A, out _, out _));
        Assert.False(limiter.TryAcquire(A, out _, out _));
    }

    [Fact]
    public void Open_connections_are_counted_per_source_and_a_slot_is_given_back_once()
    {
        var limiter = new SourceLimiter(new SourceLimits(MaxConnectionsPerSource: 2, AcceptRatePerSource: 0));
        Assert.True(limiter.TryAcquire(A, out var first, out _));
        Assert.True(limiter.TryAcquire(A, out _, out _));
        Assert.False(limiter.TryAcquire(A, out _, out var why));
        Assert.Equal("max-connections-per-source 2 reached", why);
        first!.Dispose();
        first.Dispose(); // twice is once
        Assert.True(limiter.TryAcquire(A, out _, out _));
        Assert.False(limiter.TryAcquire(A, out _, out _));
    }

    [Fact]
    public void An_ipv6_host_is_one_source_per_64_and_a_mapped_ipv4_address_is_the_ipv4_source()
    {
        var limiter = new SourceLimiter(new SourceLimits(MaxConnectionsPerSource: 1, AcceptRatePerSource: 0));
        Assert.True(limiter.TryAcquire(IPAddress.Parse("2001:db8:1:2::1"), out _, out _));
        Assert.False(limiter.TryAcquire(IPAddress.Parse("2001:db8:1:2:ffff::9"), out _, out _));
        Assert.True(limiter.TryAcquire(IPAddress.Parse("2001:db8:1:3::1"), out _, out _));
        Assert.True(limiter.TryAcquire(A, out _, out _));
        Assert.False(limiter.TryAcquire(A.MapToIPv6(), out _, out _));
    }

    [Fact]
    public void Failed_logins_block_a_source_for_the_rest_of_the_minute()
    {
        var clock = new ManualClock();
        var limiter = new SourceLimiter(new SourceLimits(0, 0, LoginAttempts: 3), clock);
        limiter.LoginFailed(A);
        limiter.LoginFailed(A);
        Assert.False(limiter.IsLoginBlocked(A, out _));
        clock.Advance(TimeSpan.FromSeconds(30));
        limiter.LoginFailed(A);
        Assert.True(limiter.IsLoginBlocked(A, out var why));
        Assert.StartsWith("3 failed logins within a minute (login-attempts 3); refused for another 30 s", why, StringComparison.Ordinal);
        Assert.False(limiter.IsLoginBlocked(B, out _));
        clock.Advance(TimeSpan.FromSeconds(31)); // the first two are older than a minute now
        Assert.False(limiter.IsLoginBlocked(A, out _));
    }

    [Fact]
    public void The_table_of_sources_stays_bounded_when_every_connection_comes_from_a_new_address()
    {
        var clock = new ManualClock();
        var limiter = new SourceLimiter(new SourceLimits(MaxConnectionsPerSource: 4, AcceptRatePerSource: 10), clock);
        for (var i = 0; i < SourceLimiter.MaxTrackedSources + 5000; i++)
        {
            var address = new IPAddress([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i]);
            if (limiter.TryAcquire(address, out var slot, out _))
            {
                slot!.Dispose(); // the connection ends at once
            }

            clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.True(limiter.TrackedSources <= SourceLimiter.MaxTrackedSources, $"{limiter.TrackedSources} sources tracked");
    }
}
