using Concentrator.Client.Import;
using Concentrator.Ports.Admission;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Security;
using Concentrator.Testing;

namespace Concentrator.Client.Tests;

/// <summary>import-conserver on the samples conserver-server ships (conserver.cf(5)'s ideas file and its test.cf).</summary>
public sealed class ConserverImportTests
{
    private const string Sample = "usr/share/doc/conserver-server/examples/conserver.cf";

    /// <summary>Loads the HOCON the way the daemon would, with a users file beside it (the import asks for one).</summary>
    internal static IReadOnlyDictionary<string, PortSettings> Load(ImportResult result)
    {
        using var dir = new TempDirectory("conserver");
        UsersFileWriter.SetPassword(Path.Combine(dir.FullName, ConserverImporter.UsersFile), "bryan", "secret", ["sysadmin"]);
        var loaded = ConfigLoader.Load(result.Hocon, "imported.conf", dir.FullName);
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors) + "\n" + result.Hocon);
        return loaded.Settings!.Ports.ToDictionary(p => p.Name);
    }

    [Fact]
    public void The_shipped_sample_imports_every_console_conserver_could_reach_with_its_computed_address()
    {
        var result = ConserverImporter.Convert(ForeignConfigs.Read(Sample), "conserver.cf");

        var ports = Load(result);
        Assert.Equal(
            ["web1.conserver.com", "ns1.conserver.com", "ns2.conserver.com", "ldap1.conserver.com", "ssh", "ttya", "modem1.conserver.com", "modem2.conserver.com"],
            ports.Keys);
        Assert.Equal("telnet://ts1.conserver.com:2200", ports["web1.conserver.com"].Device); // xyplex: 2000 + 100 * 2
        Assert.Equal("telnet://ts2.conserver.com:2007", ports["ldap1.conserver.com"].Device); // cisco: 2000 + 1 * 7
        Assert.Equal("/dev/ttyC1", ports["modem1.conserver.com"].Device); // cyclades: devicesubst .=Pd, -1 + 1 * 2
        Assert.Equal("/dev/ttyC5", ports["modem2.conserver.com"].Device);
        Assert.Equal("exec:/bin/sh -ce \"ssh localhost\"", ports["ssh"].Device); // conserver runs exec through /bin/sh -ce
        Assert.Equal("just a simple ssh to localhost", ports["ssh"].Banner);
        Assert.Equal(Enumerable.Range(7001, 8), ports.Values.Select(p => Assert.Single(p.Listeners).Port));
        Assert.All(ports.Values, p => Assert.Equal(ListenerAuthentication.Password, p.Listeners[0].Auth));
        Assert.All(ports.Values, p => Assert.Equal(WritePolicy.Exclusive, p.WritePolicy));
    }

    [Fact]
    public void An_exclusion_narrows_the_acl_and_groups_become_at_groups_never_wider()
    {
        var result = ConserverImporter.Convert(ForeignConfigs.Read(Sample), "conserver.cf");

        var hocon = result.Hocon;
        var all = string.Join("\n", result.Warnings);
        // web1: "rw *" from 'full' plus "rw !bryan": '*' cannot lose bryan, so it is left out (nobody gains access).
        Assert.Contains("\"web1.conserver.com\" {", hocon, StringComparison.Ordinal);
        Assert.Contains("console web1.conserver.com: '!bryan': an acl cannot exclude a user; '*' is left out", all, StringComparison.Ordinal);
        var ports = Load(result);
        Assert.Equal(AclGrant.None, ports["web1.conserver.com"].Acl!.Grant(Principal.User("bryan", null)));
        Assert.Equal(AclGrant.ReadWrite, ports["modem2.conserver.com"].Acl!.Grant(Principal.User("bryan", null, ["sysadmin"])));
        Assert.Equal(AclGrant.None, ports["modem2.conserver.com"].Acl!.Grant(Principal.User("eve", null)));
        Assert.Contains("group sysadmin is @sysadmin here: give its members (bryan, todd, dave)", all, StringComparison.Ordinal);
    }

    [Fact]
    public void What_has_no_equivalent_is_listed_with_its_line_not_dropped()
    {
        var result = ConserverImporter.Convert(ForeignConfigs.Read(Sample), "conserver.cf");

        var all = string.Join("\n", result.Warnings);
        Assert.Contains("conserver.cf:18: break 4: break sequences are not supported", all, StringComparison.Ordinal);
        Assert.Contains("'initcmd /usr/local/sbin/login-xyplex' has no equivalent", all, StringComparison.Ordinal);
        Assert.Contains("'idlestring #' has no equivalent", all, StringComparison.Ordinal);
        Assert.Contains("allowed cs1.conserver.com: host names cannot be allowed", all, StringComparison.Ordinal);
        Assert.Contains("trusted 127.0.0.1: no equivalent", all, StringComparison.Ordinal);
        Assert.Contains("concentrator passwd --users-file users.conf", all, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shipped_test_cf_imports_and_the_installed_default_serves_nothing_and_says_so()
    {
        var test = ConserverImporter.Convert(ForeignConfigs.Read("usr/share/doc/conserver-server/examples/test.cf"), "test.cf");
        var ports = Load(test);
        Assert.Equal("exec:/bin/sh -ce \"/bin/sh -i\"", ports["shell"].Device); // exec "" = conserver's /bin/sh -i
        Assert.Equal("telnet://www.conserver.com:80", ports["web"].Device);
        Assert.Equal("/tmp/b", ports["b"].Log?.File); // logfile /tmp/& from 'default *'; {port} filled in

        var installed = ConserverImporter.Convert(ForeignConfigs.Read("etc/conserver/conserver.cf"), "conserver.cf");
        Assert.Equal(0, installed.PortCount);
        Assert.Contains("no port could be imported", string.Join("\n", installed.Warnings), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("console a { type device; device /dev/ttyS0", "line 1: block 'console a' is not closed")]
    [InlineData("console a { motd \"open; }", "line 1: a string is not closed")]
    [InlineData("{ }", "line 1: expected a block keyword")]
    public void Broken_syntax_imports_nothing_and_names_the_line(string text, string message)
    {
        var e = Assert.Throws<ImportFormatException>(() => ConserverImporter.Convert(text, "conserver.cf"));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_command_prints_hocon_on_stdout_warnings_on_stderr_and_counts_from_the_base_port()
    {
        using var dir = new TempDirectory("conserver-cli");
        var file = Path.Combine(dir.FullName, "conserver.cf");
        File.WriteAllText(file, ForeignConfigs.Read(Sample));

        var run = ConcentratorCli.Run(["import-conserver", "--base-port", "9101", file], TimeSpan.FromSeconds(30));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("port = 9101, protocol = telnet", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("port = 9108, protocol = telnet", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("warning: conserver.cf:18: break 4", run.Stderr, StringComparison.Ordinal);
    }
}
