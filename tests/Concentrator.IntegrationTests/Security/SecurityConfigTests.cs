using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Security;

/// <summary>Bad security config is reported at once with file, port, key and value, and nothing binds; risky config is warned about.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SecurityConfigTests : IntegrationTest
{
    [Fact]
    public void Every_bad_certificate_key_and_users_file_line_is_named_and_nothing_starts()
    {
        var dir = Track(new TempDirectory("seccheck")).FullName;
        var pki = TestPki.Create(dir);
        var openKey = Path.Combine(dir, "open.key");
        File.Copy(pki.ServerKey, openKey);
        File.SetUnixFileMode(openKey, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var users = Path.Combine(dir, "users.conf");
        File.WriteAllText(users, "# ok\nalice:$2b$12$abcdefghijklmnopqrstuu5cmUaxYLTNAwY2SEwkOzJ9A3rnQQ9Om:ops\nbroken line\n");
        File.SetUnixFileMode(users, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var (exit, output) = DaemonProcess.Run($$"""
            concentrator.security { users-file = "{{users}}" }
            concentrator.ports.x {
              device = "sim:echo"
              listeners = [
                { port = 7601, protocol = raw, tls { certificate = "{{dir}}/missing.crt", key = "{{pki.ServerKey}}" } }
                { port = 7602, protocol = raw, tls { certificate = "{{pki.ServerKey}}", key = "{{pki.ServerKey}}" } }
                { port = 7603, protocol = raw, tls { certificate = "{{pki.ServerCertificate}}", key = "{{pki.File("client.key")}}" } }
                { port = 7604, protocol = raw, tls { certificate = "{{pki.ServerCertificate}}", key = "{{openKey}}" } }
                { port = 7605, protocol = raw, auth = password }
              ]
            }
            """, "--check");
        Assert.Equal(2, exit);
        Assert.Contains($"key 'listeners[0].tls.certificate' = '{dir}/missing.crt': cannot read the file", output, StringComparison.Ordinal);
        Assert.Contains($"key 'listeners[1].tls.certificate' = '{pki.ServerKey}': no certificate in the file", output, StringComparison.Ordinal);
        Assert.Contains($"key 'listeners[2].tls.key' = '{pki.File("client.key")}': the key does not match the certificate", output, StringComparison.Ordinal);
        Assert.Contains($"key 'listeners[3].tls.key' = '{openKey}': the private key is readable by group or others (mode 644)", output, StringComparison.Ordinal);
        Assert.Contains("key 'listeners[4].auth' = 'password': a raw listener cannot ask for a password", output, StringComparison.Ordinal);
        Assert.Contains($"key 'security.users-file' = '{users} line 3': expected name:bcrypt-hash:groups", output, StringComparison.Ordinal);
        Assert.Contains("nothing was started", output, StringComparison.Ordinal);
    }

    [Fact]
    public void An_open_listener_and_an_expired_certificate_are_served_but_warned_about()
    {
        var dir = Track(new TempDirectory("secwarn")).FullName;
        var pki = TestPki.Create(dir);
        var (exit, output) = DaemonProcess.Run($$"""
            concentrator.ports.x {
              device = "sim:echo"
              listeners = [
                { port = 7611, bind = "0.0.0.0", protocol = telnet }
                { port = 7612, bind = "0.0.0.0", protocol = telnet, allow = ["10.0.0.0/8"] }
                { port = 7613, protocol = raw, tls { certificate = "{{pki.File("expired.crt")}}", key = "{{pki.File("expired.key")}}" } }
              ]
            }
            """, "--check");
        Assert.Equal(0, exit);
        Assert.Contains("warning: port x: telnet listener on 0.0.0.0:7611 serves anyone who can reach it (auth = none, no allow list)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("0.0.0.0:7612 serves anyone", output, StringComparison.Ordinal);
        Assert.Matches($"warning: port x: the certificate {System.Text.RegularExpressions.Regex.Escape(pki.File("expired.crt"))} of 127.0.0.1:7613 expired on ", output);
    }

    [Fact]
    public void The_embedded_default_binds_loopback_only_and_warns_about_nothing()
    {
        var (exit, output) = DaemonProcess.Run(null, "--check");
        Assert.Equal(0, exit);
        Assert.Contains("listening: rfc2217 on 127.0.0.1:7000", output, StringComparison.Ordinal);
        Assert.DoesNotContain("warning:", output, StringComparison.Ordinal);
    }
}
