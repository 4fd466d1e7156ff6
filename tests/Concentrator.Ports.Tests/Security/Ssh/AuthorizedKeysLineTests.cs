using System.Globalization;
using System.Text;
using Concentrator.Ports.Security.Ssh;
using Xunit.Abstractions;

namespace Concentrator.Ports.Tests.Security.Ssh;

/// <summary>
/// The authorized_keys line <c>ssh-keys</c> prints is read by sshd (options, then the key) and its command by the
/// console account's shell: no principal name or path may end the quoted command early, add an option, or add a
/// shell word. Names that could are refused, over hand-picked attacks and seeded random strings.
/// </summary>
public sealed class AuthorizedKeysLineTests(ITestOutputHelper output)
{
    private static readonly SshPublicKey Key = SshKeyBlobs.Ed25519Key();
    private static readonly AuthorizedKeysLine Lines = new(["/opt/concentrator/concentrator"], "/run/concentrator/ssh-entry.sock");

    [Fact]
    public void A_key_line_pins_the_principal_with_restrict_pty_and_the_forced_command()
    {
        Assert.Equal(
            "restrict,pty,command=\"/opt/concentrator/concentrator ssh-entry --socket /run/concentrator/ssh-entry.sock --principal alice\" " + Key,
            Lines.ForKey("alice", Key));
    }

    [Fact]
    public void A_certificate_line_names_the_ca_key_and_exactly_one_principal()
    {
        var ca = SshKeyBlobs.Ed25519Key(seed: 7);
        Assert.Equal(
            "cert-authority,principals=\"alice\",restrict,pty,command=\"/opt/concentrator/concentrator ssh-entry --socket " +
            "/run/concentrator/ssh-entry.sock --principal alice\" " + ca,
            Lines.ForCertificate("alice", ca));
    }

    [Theory]
    [InlineData("alice\" ssh-ed25519 AAAA")]
    [InlineData("alice\",command=\"/bin/sh")]
    [InlineData("alice,no-pty")]
    [InlineData("alice; sh")]
    [InlineData("alice bob")]
    [InlineData("$(id)")]
    [InlineData("alice\\")]
    [InlineData("alice\nssh-ed25519 AAAA")]
    [InlineData("")]
    public void A_principal_that_tries_to_inject_is_refused(string principal)
    {
        Assert.Throws<ArgumentException>(() => Lines.ForKey(principal, Key));
        Assert.Throws<ArgumentException>(() => Lines.ForCertificate(principal, Key));
    }

    [Theory]
    [InlineData("/run/x\".sock")]
    [InlineData("/run/x'.sock")]
    [InlineData("/run/x\\.sock")]
    [InlineData("/run/x\n.sock")]
    public void A_path_that_cannot_be_quoted_safely_is_refused(string socket) =>
        Assert.Throws<ArgumentException>(() => new AuthorizedKeysLine(["/opt/c/concentrator"], socket).ForKey("alice", Key));

    [Fact]
    public void A_path_with_a_space_or_a_dollar_is_single_quoted_for_the_shell()
    {
        var line = new AuthorizedKeysLine(["/opt/my concentrator/concentrator"], "/run/$x/s.sock").ForKey("alice", Key);
        Assert.StartsWith("restrict,pty,command=\"'/opt/my concentrator/concentrator' ssh-entry --socket '/run/$x/s.sock' --principal alice\" ", line,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Random_names_are_refused_or_come_out_as_one_plain_shell_word_inside_the_quotes()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("CONCENTRATOR_SSHLINE_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var s)
            ? s
            : Random.Shared.Next();
        output.WriteLine($"seed {seed} (replay with CONCENTRATOR_SSHLINE_SEED={seed})");
        var random = new Random(seed);
        const string alphabet = "aZ09._-\"',;\\ $`()=\n\t@*:!#&|<>";
        for (var i = 0; i < 5_000; i++)
        {
            var name = new StringBuilder();
            for (var n = random.Next(0, 12); n > 0; n--)
            {
                name.Append(alphabet[random.Next(alphabet.Length)]);
            }

            string line;
            try
            {
                line = Lines.ForKey(name.ToString(), Key);
            }
            catch (ArgumentException)
            {
                continue;
            }

            // Accepted: the quoted command is everything between the first two double quotes, the key follows it, and
            // the name is one word of letters, digits, '.', '_', '-' at its end.
            var open = line.IndexOf('"', StringComparison.Ordinal);
            var close = line.IndexOf('"', open + 1);
            Assert.Equal(line.Length - Key.ToString().Length - 1, close + 1);
            Assert.Equal("restrict,pty,command=", line[..open]);
            Assert.EndsWith($" --principal {name}", line[(open + 1)..close], StringComparison.Ordinal);
            Assert.Matches("^[A-Za-z0-9._-]+$", name.ToString());
        }
    }
}
