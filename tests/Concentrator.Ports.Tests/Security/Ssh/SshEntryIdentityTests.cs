using System.Net;
using Concentrator.Ports.Admission;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Listener;
using Concentrator.Ports.Security;
using Concentrator.Ports.Session;
using Concentrator.Testing;

namespace Concentrator.Ports.Tests.Security.Ssh;

/// <summary>
/// The SSH front door's trust boundary: only the console account's ssh-entry names a users-file principal and a
/// source address; any other local account is ssh:NAME with no address, and naming a principal gets it refused.
/// </summary>
public sealed class SshEntryIdentityTests
{
    private static readonly SecuritySettings Settings = SecuritySettings.Default with
    {
        Users = Users("alice:!:ops\nbob:!:\n"),
        SshConsoleAccount = "console",
    };

    private static UserDirectory Users(string text)
    {
        var problems = new List<(int Line, string Problem)>();
        var users = UserDirectory.Parse(text, problems);
        Assert.Empty(problems);
        return users;
    }

    private static SshEntryHeader Header(string? principal) =>
        SshEntryHeader.Parse(SshEntryHeader.Format("switch-1", "192.0.2.7 50022 10.0.0.1 22", principal, 120, 40, SshEntryVerb.Join));

    [Fact]
    public void The_console_account_names_the_principal_and_the_address_sshd_verified()
    {
        var principal = SshEntryIdentity.Identify("console", Header("alice"), Settings, out var refusal);
        Assert.Null(refusal);
        Assert.Equal("alice", principal!.Name);
        Assert.Equal(IPAddress.Parse("192.0.2.7"), principal.Source);
        Assert.Equal(PrincipalKind.User, principal.Kind);
        Assert.Equal(["ops"], principal.GroupList);
        Assert.Equal(AclGrant.ReadWrite, new AccessControlList(["@ops"], []).Grant(principal));
    }

    [Fact]
    public void Another_local_account_may_not_name_a_principal()
    {
        Assert.Null(SshEntryIdentity.Identify("mallory", Header("alice"), Settings, out var refusal));
        Assert.Contains("only the SSH console account console", refusal, StringComparison.Ordinal);
        Assert.Null(SshEntryIdentity.Identify("root", Header("alice"), Settings, out _));
    }

    [Fact]
    public void Without_a_principal_an_account_is_itself_and_only_the_console_gets_an_address()
    {
        var other = SshEntryIdentity.Identify("mallory", Header(null), Settings, out _)!;
        Assert.Equal("ssh:mallory", other.Name);
        Assert.Equal(PrincipalKind.Ssh, other.Kind);
        Assert.Null(other.Source); // its SSH_CONNECTION is only its word
        Assert.Equal(IPAddress.Parse("192.0.2.7"), SshEntryIdentity.Identify("console", Header(null), Settings, out _)!.Source);
    }

    [Fact]
    public void A_principal_gone_from_the_users_file_is_refused()
    {
        Assert.Null(SshEntryIdentity.Identify("console", Header("carol"), Settings, out var refusal));
        Assert.Contains("not in the users file", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void The_header_round_trips_and_garbage_fields_come_out_empty()
    {
        var header = Header("alice");
        Assert.Equal(new SshEntryHeader("switch-1", new IPEndPoint(IPAddress.Parse("192.0.2.7"), 50022), "alice", 120, 40, SshEntryVerb.Join), header);
        var old = SshEntryHeader.Parse("switch-1\t10.9.9.9 40000 127.0.0.1 22"); // an older ssh-entry: two fields
        Assert.Equal(new SshEntryHeader("switch-1", new IPEndPoint(IPAddress.Parse("10.9.9.9"), 40000), null, 0, 0, SshEntryVerb.Join), old);
        Assert.Equal(new SshEntryHeader("", null, null, 0, 0, SshEntryVerb.List), SshEntryHeader.Parse("\tnot an address\t\t99999x1\tlist"));
    }

    [Fact]
    public void Only_the_process_that_opened_a_session_resizes_its_terminal()
    {
        var terminals = new SshEntryTerminals();
        var terminal = terminals.Open(4242, "console", TerminalSize.Of(80, 24));
        Assert.Equal(new TerminalSize(80, 24), terminal.Size);
        Assert.False(terminals.Resize(4243, "console", new TerminalSize(1, 1))); // another process
        Assert.False(terminals.Resize(4242, "mallory", new TerminalSize(1, 1))); // the same pid, another account
        Assert.True(terminals.Resize(4242, "console", new TerminalSize(132, 43)));
        Assert.Equal("132x43", terminal.Size?.ToString());
        Assert.Null(TerminalSize.Of(0, 24));
        var resize = SshEntryHeader.Parse(SshEntryHeader.Format("switch-1", null, null, 100, 30, SshEntryVerb.Resize));
        Assert.Equal((SshEntryVerb.Resize, 100, 30), (resize.Verb, resize.Columns, resize.Rows));
    }

    [Fact]
    public void The_port_list_shows_what_the_acl_grants_and_hides_the_rest()
    {
        var ports = new[]
        {
            PortSettingsBuilder.Port("b-open") with { Tags = ["lab"] },
            PortSettingsBuilder.Port("a-ops") with { Acl = new AccessControlList(["@ops"], ["bob"]), Tags = ["lab", "rack-a"] },
            PortSettingsBuilder.Port("c-closed") with { Acl = new AccessControlList(["carol"], []) },
        };
        var alice = Principal.User("alice", null, ["ops"]);
        Assert.Equal(["a-ops\tread-write\tlab,rack-a", "b-open\tread-write\tlab"], SshEntryPortMenu.Lines(ports, alice));
        Assert.Equal(["a-ops\tread-only\tlab,rack-a", "b-open\tread-write\tlab"], SshEntryPortMenu.Lines(ports, Principal.User("bob", null)));
    }
}
