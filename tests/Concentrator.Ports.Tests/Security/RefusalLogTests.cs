using System.Net;
using Concentrator.Ports.Security;

namespace Concentrator.Ports.Tests.Security;

public sealed class RefusalLogTests
{
    [Fact]
    public void One_line_per_source_and_kind_per_interval_with_the_count_of_those_not_logged()
    {
        var clock = new ManualClock();
        var log = new RefusalLog(TimeSpan.FromSeconds(10), clock);
        var flooder = IPAddress.Parse("198.51.100.7");
        Assert.True(log.ShouldLog(flooder, "accept", out var suppressed));
        Assert.Equal(0, suppressed);
        for (var i = 0; i < 500; i++)
        {
            Assert.False(log.ShouldLog(flooder, "accept", out _));
        }

        Assert.True(log.ShouldLog(flooder, "login", out _)); // another cause is news
        Assert.True(log.ShouldLog(IPAddress.Parse("198.51.100.8"), "accept", out _)); // another source too
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True(log.ShouldLog(flooder, "accept", out suppressed));
        Assert.Equal(500, suppressed);
        Assert.Equal(" (500 more from this source in the last 10 s not logged)", log.Summary(suppressed));
    }
}
