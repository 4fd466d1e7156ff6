using Concentrator.Ports.Configuration;
using Concentrator.Ports.Security;

namespace Concentrator.Ports.Tests.Security;

public sealed class SecurityConfigTests
{
    private static ConfigResult Load(string hocon) => ConfigLoader.Load(hocon, "test.conf", "/tmp");

    [Fact]
    public void Reads_the_security_section_listener_filters_auth_and_the_acl_in_the_documented_shape()
    {
        var result = Load("""
            concentrator {
              security { max-connections-per-source = 4, accept-rate-per-source = 7, handshake-timeout = 3s, login-attempts = 2,
                         ssh-entry-socket = "/run/c/ssh.sock", ssh-entry-group = "consoles" }
              ports.a {
                device = "sim:echo"
                acl { read-write = ["alice", "@ops", "cert:ci-runner", "ssh:bob"], read-only = ["*"] }
                listeners = [ { port = 7000, protocol = telnet, bind = "0.0.0.0", allow = ["10.0.0.0/8", "127.0.0.1/32"], deny = [] }, { port = 7001 } ]
              }
            }
            """);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var security = result.Settings!.Security!;
        Assert.Equal(new SourceLimits(4, 7, 2), security.Limits);
        Assert.Equal(TimeSpan.FromSeconds(3), security.HandshakeTimeout);
        Assert.Equal(("/run/c/ssh.sock", "consoles"), (security.SshEntrySocket, security.SshEntryGroup));
        var port = result.Settings.Ports[0];
        Assert.Equal(["alice", "@ops", "cert:ci-runner", "ssh:bob"], port.Acl!.ReadWrite);
        Assert.Equal(["*"], port.Acl.ReadOnly);
        Assert.Equal(2, port.Listeners[0].SourceFilter.Allow.Count);
        Assert.True(port.Listeners[1].SourceFilter.IsEmpty);
        Assert.Equal(ListenerAuthentication.None, port.Listeners[1].Auth);
    }

    [Theory]
    [InlineData("root")]
    [InlineData(null)] // the account the daemon (here: the test) runs as
    public void The_ssh_console_account_is_never_root_nor_the_daemon_s_own_account(string? account)
    {
        account ??= Environment.UserName;
        var result = Load($$"""
            concentrator.security { ssh-entry-socket = "/run/c/ssh.sock", ssh-console-account = "{{account}}" }
            concentrator.ports.a { device = "sim:echo", listeners = [ { port = 7000 } ] }
            """);

        Assert.Contains(result.Errors.Select(e => e.ToString()), e =>
            e.StartsWith($"test.conf: key 'security.ssh-console-account' = '{account}': must be an account of its own", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_security_mistake_is_named_by_key_and_value()
    {
        var result = Load("""
            concentrator {
              security { max-conections-per-source = 4, handshake-timeout = 0s }
              ports.a {
                device = "sim:echo"
                acl { read-write = ["al ice"], read-onyl = ["*"] }
                listeners = [
                  { port = 7000, protocol = telnet, allow = ["10.1.2.3/8"], auth = pasword }
                  { port = 7001, protocol = raw, auth = certificate }
                ]
              }
              ports.b { device = "sim:echo", listeners = [ { port = 7002, protocol = telnet, auth = password } ] }
            }
            """);
        var errors = result.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains("test.conf: key 'security.max-conections-per-source' = '4': unknown key (did you mean 'max-connections-per-source'?)", errors);
        Assert.Contains("test.conf: key 'security.handshake-timeout' = '0s': must be longer than 0s: a client that never finishes must be closed", errors);
        Assert.Contains(errors, e => e.StartsWith("test.conf: port 'a': key 'acl.read-write' = 'al ice': expected a user name", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("test.conf: port 'a': key 'acl.read-onyl' = '[\"*\"]': unknown key (did you mean 'read-only'?)", StringComparison.Ordinal)
            || e.StartsWith("test.conf: port 'a': key 'acl.read-onyl'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("test.conf: port 'a': key 'listeners[0].allow' = '10.1.2.3/8': the address has bits set", StringComparison.Ordinal));
        Assert.Contains("test.conf: port 'a': key 'listeners[0].auth' = 'pasword': expected none | password | certificate (did you mean 'password'?)", errors);
        Assert.Contains(errors, e => e.StartsWith("test.conf: port 'a': key 'listeners[1].auth' = 'certificate': needs tls {", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("test.conf: port 'b': key 'auth' = 'password': listener 127.0.0.1:7002 asks for passwords, but concentrator.security.users-file is not set", StringComparison.Ordinal));
    }

    [Fact]
    public void Passwords_over_a_network_listener_without_tls_are_a_config_error_unless_the_listener_says_so()
    {
        const string users = "concentrator.security.users-file = \"/dev/null\"\n";
        var clear = Load(users + """concentrator.ports.a { device = "sim:echo", listeners = [ { port = 7000, protocol = telnet, bind = "0.0.0.0", auth = password } ] }""");
        var error = Assert.Single(clear.Errors, e => e.Key == "listeners[0].auth");
        Assert.Contains("passwords would cross the network in the clear on 0.0.0.0", error.Problem, StringComparison.Ordinal);
        Assert.Contains("allow-plaintext-passwords = on", error.Problem, StringComparison.Ordinal);

        Assert.DoesNotContain(Load(users + """concentrator.ports.a { device = "sim:echo", listeners = [ { port = 7000, protocol = telnet, bind = "0.0.0.0", auth = password, allow-plaintext-passwords = on } ] }""").Errors,
            e => e.Key == "listeners[0].auth");
        Assert.DoesNotContain(Load(users + """concentrator.ports.a { device = "sim:echo", listeners = [ { port = 7000, protocol = telnet, auth = password } ] }""").Errors,
            e => e.Key == "listeners[0].auth"); // loopback: nothing crosses a network
    }

    [Fact]
    public void The_interface_shape_with_a_comma_after_an_object_field_parses()
    {
        var result = Load("""
            concentrator.ports.a {
              device = "sim:echo", banner = "a { b } # not a comment", acl { read-write = ["*"] },  # a comment { c
              listeners = [ { port = 7000, protocol = rfc2217, bind = "0.0.0.0", allow = ["10.0.0.0/8"], deny = [] } ]
            }
            """);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal("a { b } # not a comment", result.Settings!.Ports[0].Banner);
    }
}
