using Concentrator.Api.Auth;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Management;

/// <summary>The tokens file format: NAME ROLE SHA256HEX lines, hashes only, private file.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes are POSIX
public sealed class TokenFileTests : IDisposable
{
    private readonly TempDirectory _dir = new("tokenfile");

    private string Write(string text)
    {
        var path = Path.Combine(_dir.FullName, $"t-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    [Fact]
    public void A_token_added_is_found_by_its_hash_and_never_stored()
    {
        var path = Path.Combine(_dir.FullName, "tokens.conf");
        var token = TokenFile.Add(path, "alice", ApiRole.Admin);
        var (tokens, problems) = TokenFile.Load(path);

        Assert.Empty(problems);
        var entry = Assert.Single(tokens);
        Assert.Equal(("alice", ApiRole.Admin), (entry.Name, entry.Role));
        Assert.Equal(TokenFile.HashOf(token), entry.Sha256Hex);
        Assert.DoesNotContain(token, File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Equal(entry, new ApiAccess(tokens, false).Find(token));
        Assert.Null(new ApiAccess(tokens, false).Find(token + "x"));
        Assert.Throws<TokenFileException>(() => TokenFile.Add(path, "alice", ApiRole.Read)); // names are unique
    }

    [Theory]
    [InlineData("alice admin", "expected NAME ROLE SHA256HEX")]
    [InlineData("alice root 0000000000000000000000000000000000000000000000000000000000000000", "role 'root': expected read | operate | lease | audit | admin")]
    [InlineData("alice admin cct_plaintext-token", "never the token itself")]
    public void Every_bad_line_is_named_with_its_line_number(string line, string problem)
    {
        var path = Write($"# comment\n\n{line}\n");
        var (tokens, problems) = TokenFile.Load(path);
        Assert.Empty(tokens);
        var reported = Assert.Single(problems);
        Assert.Contains($"{path}:3: ", reported, StringComparison.Ordinal);
        Assert.Contains(problem, reported, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_or_world_readable_file_is_refused()
    {
        Assert.Contains("does not exist", TokenFile.PermissionProblem(Path.Combine(_dir.FullName, "none")), StringComparison.Ordinal);
        var path = Write("");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Assert.Contains("mode 644", TokenFile.Load(path).Problems.Single(), StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
