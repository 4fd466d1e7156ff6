using System.Globalization;
using Concentrator.Ports.Security;
using Concentrator.Ports.Security.Ssh;
using Concentrator.Testing;
using Xunit.Abstractions;

namespace Concentrator.Ports.Tests.Security.Ssh;

/// <summary>Public keys as .pub lines and sshd's %t %k, certificate principals, and the users file's keys field.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SshKeyParsingTests(ITestOutputHelper output)
{
    [Fact]
    public void A_pub_line_parses_without_its_comment_and_a_garbled_one_says_why()
    {
        var key = SshKeyBlobs.Ed25519Key();
        Assert.Equal(key, SshPublicKey.Parse($"{key} alice@laptop with spaces", out _));
        Assert.Null(SshPublicKey.Parse("ssh-ed25519", out var missing));
        Assert.Contains("TYPE BASE64", missing, StringComparison.Ordinal);
        Assert.Null(SshPublicKey.Parse("ssh-ed25519 not*base64", out var garbled));
        Assert.Contains("base64", garbled, StringComparison.Ordinal);
        Assert.Null(SshPublicKey.Parse($"ssh-rsa {key.Base64}", out var mismatch)); // the blob says ed25519
        Assert.Contains("not a ssh-rsa key", mismatch, StringComparison.Ordinal);
        Assert.Null(SshPublicKey.From("ssh-ed25519\",command=\"sh", key.Base64, out _));
    }

    [Fact]
    public void Certificate_principals_come_out_in_order_and_a_truncated_certificate_is_not_one()
    {
        using var dir = new TempDirectory("sshcert");
        string P(string name) => Path.Combine(dir.FullName, name);
        ExternalCommand.MustRun("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", P("ca")]);
        ExternalCommand.MustRun("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", P("user")]);
        ExternalCommand.MustRun("ssh-keygen", ["-q", "-s", P("ca"), "-I", "id-1", "-n", "nobody,alice,ops.bob", P("user.pub")]);
        ExternalCommand.MustRun("ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", P("rsa")]);
        ExternalCommand.MustRun("ssh-keygen", ["-q", "-s", P("ca"), "-I", "id-2", "-n", "carol", P("rsa.pub")]);
        ExternalCommand.MustRun("ssh-keygen", ["-q", "-t", "ecdsa", "-N", "", "-f", P("ec")]);
        ExternalCommand.MustRun("ssh-keygen", ["-q", "-s", P("ca"), "-I", "id-3", "-n", "dave", P("ec.pub")]);

        var cert = SshPublicKey.Parse(File.ReadAllText(P("user-cert.pub")), out _)!;
        Assert.True(cert.IsCertificate);
        Assert.Equal(["nobody", "alice", "ops.bob"], SshCertificate.Principals(cert.Blob));
        Assert.Equal(["carol"], SshCertificate.Principals(SshPublicKey.Parse(File.ReadAllText(P("rsa-cert.pub")), out _)!.Blob));
        Assert.Equal(["dave"], SshCertificate.Principals(SshPublicKey.Parse(File.ReadAllText(P("ec-cert.pub")), out _)!.Blob));
        Assert.Null(SshCertificate.Principals(SshPublicKey.Parse(File.ReadAllText(P("user.pub")), out _)!.Blob)); // a plain key

        // Any cut or flipped byte gives principals or null, never an exception.
        var seed = int.TryParse(Environment.GetEnvironmentVariable("CONCENTRATOR_SSHCERT_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var s)
            ? s
            : Random.Shared.Next();
        output.WriteLine($"seed {seed} (replay with CONCENTRATOR_SSHCERT_SEED={seed})");
        var random = new Random(seed);
        var blob = cert.Blob;
        for (var i = 0; i < 2_000; i++)
        {
            var mutated = blob[..random.Next(blob.Length + 1)];
            if (mutated.Length > 0 && random.Next(2) == 0)
            {
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            }

            _ = SshCertificate.Principals(mutated);
        }

        Assert.Null(SshCertificate.Principals(blob[..(blob.Length / 3)]));
    }

    [Fact]
    public void The_users_file_keeps_keys_and_keys_only_accounts_have_no_password()
    {
        using var dir = new TempDirectory("userskeys");
        var file = Path.Combine(dir.FullName, "users");
        var (alice, other) = (SshKeyBlobs.Ed25519Key(1), SshKeyBlobs.Ed25519Key(2));
        UsersFileWriter.AddKey(file, "alice", alice, ["ops"]);
        UsersFileWriter.AddKey(file, "alice", other, null);
        UsersFileWriter.SetPassword(file, "bob", "hunter2", null);
        Assert.Throws<ArgumentException>(() => UsersFileWriter.AddKey(file, "bob", alice, null)); // one key, one user
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));

        var problems = new List<(int Line, string Problem)>();
        var users = UserDirectory.Parse(File.ReadAllText(file), problems);
        Assert.Empty(problems);
        Assert.Equal([alice, other], users.Find("alice")!.Keys);
        Assert.Equal(["ops"], users.Find("alice")!.Groups);
        Assert.False(users.Find("alice")!.HasPassword);
        Assert.Null(users.Verify("alice", "!")); // no password matches a keys-only account
        Assert.Equal("alice", users.FindByKey(other)?.Name);
        Assert.Null(users.FindByKey(SshKeyBlobs.Ed25519Key(3)));

        Assert.True(UsersFileWriter.RemoveKey(file, "alice", alice));
        Assert.False(UsersFileWriter.RemoveKey(file, "alice", alice));
        users = UserDirectory.Parse(File.ReadAllText(file), problems);
        Assert.Equal([other], users.Find("alice")!.Keys);
        Assert.NotNull(users.Verify("bob", "hunter2")); // setting a password elsewhere kept the file's other accounts
    }

    [Theory]
    [InlineData("alice:!:ops:ssh-ed25519 bm90IGEga2V5")] // base64 of something that is not a key
    [InlineData("alice:!:ops:ssh-ed25519")]
    [InlineData("alice:!:ops:ssh-ed25519 AAAA,:x")]
    public void A_bad_key_in_the_users_file_is_a_line_problem(string line)
    {
        var problems = new List<(int Line, string Problem)>();
        UserDirectory.Parse("# users\n" + line + "\n", problems);
        Assert.Equal(2, Assert.Single(problems).Line);
    }
}
