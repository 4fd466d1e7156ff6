using System.Net;
using Concentrator.Ports.Security;

namespace Concentrator.Ports.Tests.Security;

public sealed class SourceFilterTests
{
    private static IPNetwork Net(string text)
    {
        Assert.True(SourceFilter.TryParseNetwork(text, out var network, out var problem), problem);
        return network;
    }

    [Fact]
    public void Deny_wins_an_allow_list_excludes_the_rest_and_both_families_work()
    {
        var filter = new SourceFilter([Net("10.0.0.0/8"), Net("2001:db8::/32")], [Net("10.9.0.0/16"), Net("10.1.2.3")]);
        Assert.Null(filter.Refusal(IPAddress.Parse("10.200.1.1")));
        Assert.Null(filter.Refusal(IPAddress.Parse("2001:db8:5::1")));
        Assert.Null(filter.Refusal(IPAddress.Parse("::ffff:10.200.1.1"))); // a dual-stack socket's view of an IPv4 client
        Assert.Equal("denied by 10.9.0.0/16", filter.Refusal(IPAddress.Parse("10.9.4.4")));
        Assert.Equal("denied by 10.1.2.3/32", filter.Refusal(IPAddress.Parse("10.1.2.3")));
        Assert.Equal("not in the allow list", filter.Refusal(IPAddress.Parse("192.168.1.1")));
        Assert.Equal("not in the allow list", filter.Refusal(IPAddress.Parse("2001:db9::1")));
        Assert.Null(SourceFilter.None.Refusal(IPAddress.Parse("203.0.113.9")));
        Assert.Equal(filter, new SourceFilter([Net("10.0.0.0/8"), Net("2001:db8::/32")], [Net("10.9.0.0/16"), Net("10.1.2.3/32")]));
    }

    [Theory]
    [InlineData("10.1.2.3/8", "bits set beyond the prefix length")]
    [InlineData("10.0.0.0/33", "bits set beyond the prefix length")]
    [InlineData("ten.0.0.0/8", "expected a network such as")]
    public void A_bad_network_says_what_is_wrong(string text, string problem)
    {
        Assert.False(SourceFilter.TryParseNetwork(text, out _, out var why));
        Assert.Contains(problem, why, StringComparison.Ordinal);
    }
}
