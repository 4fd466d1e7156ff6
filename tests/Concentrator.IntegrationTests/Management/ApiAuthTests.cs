using System.Net;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Management;

/// <summary>
/// Bearer tokens from a tokens file made by `concentrator token add`. Tests run on loopback, so the token path is
/// tested with allow-anonymous-actions = off: anonymous loopback callers read but get 403 on actions.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // tokens file modes are POSIX
public sealed class ApiAuthTests : IntegrationTest
{
    private readonly TempDirectory _dir;

    public ApiAuthTests() => _dir = Track(new TempDirectory("tokens"));

    private string TokensFile => Path.Combine(_dir.FullName, "tokens.conf");

    private static string AddToken(string file, string name, string role)
    {
        var (exit, stdout, stderr) = Cli.Run("token", "add", name, "--role", role, "--tokens-file", file);
        Assert.True(exit == 0, stderr);
        Assert.Contains("shown only this once", stderr, StringComparison.Ordinal);
        return stdout.Trim();
    }

    [Fact]
    public async Task Actions_need_an_admin_token_reads_do_not_and_bad_tokens_are_401()
    {
        var admin = AddToken(TokensFile, "alice", "admin");
        var reader = AddToken(TokensFile, "grafana", "read");
        Assert.StartsWith("cct_", admin, StringComparison.Ordinal);
        var stored = File.ReadAllText(TokensFile);
        Assert.DoesNotContain(admin, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(reader, stored, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(TokensFile));

        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.t { device = "sim:echo", listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
            concentrator.api { tokens-file = "{{TokensFile}}", allow-anonymous-actions = off }
            """));
        daemon.WaitOnline("t");
        var api = Track(new ApiHttp(daemon.ApiUrl));

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/ports")).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/metrics")).Status);

        var anonymous = await api.DeleteAsync("/api/sessions/t:1");
        Assert.Equal(HttpStatusCode.Forbidden, anonymous.Status);
        Assert.Equal("application/problem+json", anonymous.ContentType);
        Assert.Contains("a token with a role", anonymous.Detail, StringComparison.Ordinal);

        var read = await api.SendAsync(HttpMethod.Delete, "/api/sessions/t:1", token2: reader);
        Assert.Equal(HttpStatusCode.Forbidden, read.Status);
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Get, "/api/ports", token2: reader)).Status);

        var acting = await api.SendAsync(HttpMethod.Delete, "/api/sessions/t:1", token2: admin);
        Assert.Equal(HttpStatusCode.NotFound, acting.Status); // allowed: there is just no such session
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Post, "/api/reload", token2: admin)).Status);
        daemon.WaitFor("reload by api token alice");

        var wrong = await api.SendAsync(HttpMethod.Get, "/api/ports", token2: "cct_not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        Assert.Equal("application/problem+json", wrong.ContentType);
        Assert.Contains("Bearer", wrong.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("cct_not-a-token", daemon.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(admin, daemon.Output, StringComparison.Ordinal);

        // A token added later works after a reload, through the CLI's environment variable too.
        var late = AddToken(TokensFile, "bob", "admin");
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.SendAsync(HttpMethod.Get, "/api/ports", token2: late)).Status);
        var (exit, _, stderr) = Cli.Run(new Dictionary<string, string> { ["CONCENTRATOR_API_TOKEN"] = admin }, "reload", "--api", daemon.ApiUrl.ToString());
        Assert.True(exit == 0, stderr);
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Get, "/api/ports", token2: late)).Status);
        (exit, _, stderr) = Cli.Run("kick", "t:5", "--api", daemon.ApiUrl.ToString());
        Assert.Equal(1, exit);
        Assert.Contains("HTTP 403", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tokens_file_readable_by_others_stops_the_daemon_before_anything_binds()
    {
        AddToken(TokensFile, "alice", "admin");
        File.SetUnixFileMode(TokensFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var tcp = FreeTcpPort.Next();

        var (code, output) = DaemonProcess.Run($$"""
            concentrator.ports.t { device = "sim:echo", listeners = [ { port = {{tcp}}, protocol = raw } ] }
            concentrator.api.tokens-file = "{{TokensFile}}"
            """);
        Assert.Equal(2, code);
        Assert.Contains("readable or writable by others", output, StringComparison.Ordinal);
        Assert.Contains("nothing was started", output, StringComparison.Ordinal);

        var (exit, _, stderr) = Cli.Run("token", "add", "bob", "--role", "admin", "--tokens-file", TokensFile);
        Assert.Equal(2, exit);
        Assert.Contains("chmod 600", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reachable_bind_without_a_tokens_file_is_a_config_error()
    {
        var (code, output) = DaemonProcess.Run($$"""
            concentrator.ports.t { device = "sim:echo", listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
            concentrator.api { bind = "0.0.0.0", port = {{FreeTcpPort.Next()}} }
            """);
        Assert.Equal(2, code);
        Assert.Contains("key 'concentrator.api.bind' = '0.0.0.0': an API reachable from other machines needs a tokens-file", output, StringComparison.Ordinal);
    }
}
