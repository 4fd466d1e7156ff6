using System.Net;
using Concentrator.Ports.Admission;
using Concentrator.Ports.Configuration;
using Concentrator.Testing;

namespace Concentrator.Leases.Tests.Enforcement;

public sealed class LeaseHolderRuleTests
{
    private static readonly PortLease Lease = new("L1", "alice", IPAddress.Parse("10.0.0.5"), "tok-123", 3);

    private static ListenerSettings Listener(SessionAccess access) => PortSettingsBuilder.Listener(ListenerProtocol.Telnet, access, 7000);

    private static SessionRole Role(Principal who, PortLease? lease = null, SessionAccess access = SessionAccess.ReadWrite) =>
        ((Admit)LeaseHolderRule.Instance.Apply(new AdmissionRequest(Listener(access), who), new PortOccupancy(0, null, false, lease ?? Lease),
            new Admit(access == SessionAccess.ReadOnly ? SessionRole.ReadOnly : SessionRole.ReadWrite))).Role;

    [Fact]
    public void The_holder_is_whoever_connects_from_the_leased_host_authenticates_as_the_holder_or_shows_the_token()
    {
        Assert.Equal(SessionRole.ReadWrite, Role(new Principal("*", IPAddress.Parse("10.0.0.5"))));
        Assert.Equal(SessionRole.ReadWrite, Role(new Principal("*", IPAddress.Parse("::ffff:10.0.0.5")))); // IPv4 on a dual-stack socket
        Assert.Equal(SessionRole.ReadWrite, Role(Principal.User("alice", IPAddress.Parse("192.168.1.9"))));
        Assert.Equal(SessionRole.ReadWrite, Role(new Principal("*", IPAddress.Parse("192.168.1.9"), LeaseToken: "tok-123")));
    }

    [Fact]
    public void Everyone_else_is_read_only_and_an_anonymous_client_never_matches_by_name()
    {
        Assert.Equal(SessionRole.ReadOnly, Role(Principal.User("bob", IPAddress.Parse("10.0.0.6"))));
        // The holder's name of another kind: a dashboard token called alice, a certificate CN alice.
        Assert.Equal(SessionRole.ReadOnly, Role(Principal.Web("alice", new IPEndPoint(IPAddress.Parse("10.0.0.6"), 1))));
        Assert.Equal(SessionRole.ReadOnly, Role(new Principal("alice", IPAddress.Parse("10.0.0.6")) { Kind = PrincipalKind.Certificate }));
        Assert.Equal(SessionRole.ReadOnly, Role(new Principal("*", IPAddress.Parse("10.0.0.6"), LeaseToken: "tok-12")));
        Assert.Equal(SessionRole.ReadOnly, Role(new Principal("*", null), Lease with { Holder = "*", ForHost = null }));
    }

    [Fact]
    public void Without_a_lease_or_on_a_read_only_listener_the_rule_changes_nothing()
    {
        var anyone = new Principal("*", IPAddress.Loopback);
        var none = LeaseHolderRule.Instance.Apply(new AdmissionRequest(Listener(SessionAccess.ReadWrite), anyone), new PortOccupancy(0, null, false),
            new Admit(SessionRole.ReadWrite));
        Assert.Equal(new Admit(SessionRole.ReadWrite), none);
        Assert.Equal(SessionRole.ReadOnly, Role(Principal.User("alice", null), access: SessionAccess.ReadOnly));
    }

    [Fact]
    public void A_lease_token_never_shows_in_a_log_line()
    {
        Assert.DoesNotContain("tok-123", Lease.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("tok-123", new Principal("*", IPAddress.Loopback, LeaseToken: "tok-123").ToString(), StringComparison.Ordinal);
        var info = new LeaseInfo("L1", "p", null, 1, "ci", null, 0, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        Assert.DoesNotContain("tok-123", new LeaseGranted(info, "tok-123").ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("tok-123", new RenewLease("L1", "tok-123").ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("tok-123", new ReleaseLease("L1", "tok-123").ToString(), StringComparison.Ordinal);
    }
}
