using System.Net;
using Concentrator.Ports.Admission;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Security;
using Concentrator.Testing;

namespace Concentrator.Ports.Tests.Security;

public sealed class AccessControlTests
{
    private static readonly AccessControlList Acl = new(["alice", "@ops", "cert:ci-runner", "ssh:bob"], ["*"]);

    /// <summary>A principal as its entry point would make it: certificate and SSH names carry their prefix.</summary>
    private static Principal Who(string name, params string[] groups) => name switch
    {
        _ when name.StartsWith("cert:", StringComparison.Ordinal) => new(name, IPAddress.Loopback) { Kind = PrincipalKind.Certificate },
        _ when name.StartsWith("ssh:", StringComparison.Ordinal) => new(name, IPAddress.Loopback) { Kind = PrincipalKind.Ssh },
        _ => Principal.User(name, IPAddress.Loopback, groups),
    };

    [Fact]
    public void Entries_match_names_groups_certificates_ssh_users_and_anyone()
    {
        Assert.Equal(AclGrant.ReadWrite, Acl.Grant(Who("alice")));
        Assert.Equal(AclGrant.ReadWrite, Acl.Grant(Who("carol", "dev", "ops")));
        Assert.Equal(AclGrant.ReadWrite, Acl.Grant(Who("cert:ci-runner")));
        Assert.Equal(AclGrant.ReadWrite, Acl.Grant(Who("ssh:bob")));
        Assert.Equal(AclGrant.ReadOnly, Acl.Grant(Who("bob"))); // a user "bob" is not "ssh:bob"
        Assert.Equal(AclGrant.ReadOnly, Acl.Grant(Principal.Anonymous(null)));
        Assert.Equal(AclGrant.None, new AccessControlList(["alice"], []).Grant(Who("@alice")));
        Assert.Null(AccessControlList.Problem("cert:CN with spaces"));
        Assert.NotNull(AccessControlList.Problem("al ice"));
        Assert.NotNull(AccessControlList.Problem("@"));
    }

    [Fact]
    public void A_name_of_one_kind_never_matches_an_entry_of_another()
    {
        var acl = new AccessControlList(["alice", "cert:ci", "web:ops-token", "@ops"], []);
        // A dashboard token called "alice", a user called "cert:ci", an SSH user "ops-token": none is what the entry names.
        Assert.Equal(AclGrant.None, acl.Grant(Principal.Web("alice", null)));
        Assert.Equal(AclGrant.None, acl.Grant(Principal.User("cert:ci", null)));
        Assert.Equal(AclGrant.None, acl.Grant(new Principal("ssh:ops-token", null) { Kind = PrincipalKind.Ssh }));
        Assert.Equal(AclGrant.None, acl.Grant(new Principal("alice", null, ["ops"]) { Kind = PrincipalKind.Certificate })); // groups are users-file groups
        Assert.Equal(AclGrant.None, acl.Grant(new Principal("alice", null))); // made without a kind: anonymous
        // Each of its own kind: yes.
        Assert.Equal(AclGrant.ReadWrite, acl.Grant(Principal.User("alice", null)));
        Assert.Equal(AclGrant.ReadWrite, acl.Grant(new Principal("cert:ci", null) { Kind = PrincipalKind.Certificate }));
        Assert.Equal(AclGrant.ReadWrite, acl.Grant(Principal.Web("ops-token", null)));
        Assert.Null(AccessControlList.Problem("web:local"));
    }

    private static ListenerSettings Listener(SessionAccess access) => PortSettingsBuilder.Listener(ListenerProtocol.Telnet, access, 7000);

    private static PortSettings Port(AccessControlList acl, int maxSessions = 16, bool kickOld = false) =>
        PortSettingsBuilder.Port("con", listeners: Listener(SessionAccess.ReadWrite)) with { MaxSessions = maxSessions, KickOld = kickOld, Acl = acl };

    [Fact]
    public void The_acl_narrows_the_listener_access_and_refuses_outsiders_with_one_line_before_kick_old_evicts_anyone()
    {
        var admission = new PortAdmission(Port(new AccessControlList(["alice"], ["bob"]), maxSessions: 1, kickOld: true));
        var full = new PortOccupancy(1, 3, false, OldestMonitor: 3); // session 3 may not write: anyone may make room by closing it
        Assert.Equal(new Admit(SessionRole.ReadWrite, Evict: 3), admission.Decide(new AdmissionRequest(Listener(SessionAccess.ReadWrite), Who("alice")), full));
        Assert.Equal(new Admit(SessionRole.ReadOnly, Evict: 3), admission.Decide(new AdmissionRequest(Listener(SessionAccess.ReadWrite), Who("bob")), full));
        Assert.Equal(new Admit(SessionRole.ReadOnly, Evict: 3), admission.Decide(new AdmissionRequest(Listener(SessionAccess.ReadOnly), Who("alice")), full));
        var refused = Assert.IsType<Refuse>(admission.Decide(new AdmissionRequest(Listener(SessionAccess.ReadWrite), Who("mallory")), full));
        Assert.Equal("concentrator: mallory may not use port con\r\n", refused.Line);
        var anonymous = Assert.IsType<Refuse>(admission.Decide(new AdmissionRequest(Listener(SessionAccess.ReadWrite), Principal.Anonymous(null)), full));
        Assert.Equal("concentrator: an anonymous client may not use port con\r\n", anonymous.Line);
    }
}
