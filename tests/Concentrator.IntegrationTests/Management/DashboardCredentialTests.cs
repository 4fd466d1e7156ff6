using System.Net;
using System.Text;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Management;

/// <summary>
/// The dashboard reads an Authorization header the way the API does: "bearer" in any case is a token; any other
/// credential (Basic, garbage) gets nothing — never the rights a loopback caller without a header would get.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DashboardCredentialTests : IntegrationTest
{
    [Fact]
    public async Task A_credential_that_is_not_a_bearer_token_gets_nothing_and_the_scheme_is_case_insensitive()
    {
        var dir = Track(new TempDirectory("dash-credentials"));
        var tokens = Path.Combine(dir.FullName, "tokens.conf");
        var (exit, readToken, stderr) = Cli.Run("token", "add", "viewer", "--role", "read", "--tokens-file", tokens);
        Assert.True(exit == 0, stderr);
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.api { tokens-file = "{{tokens}}", allow-anonymous-actions = on }
            concentrator.ports.lab { device = "sim:echo", listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
            """));
        daemon.WaitOnline("lab");
        using var http = new HttpClient();

        async Task<HttpStatusCode> BreakAsync(string? authorization)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(daemon.ApiUrl, "/ui/ports/lab/break"))
            {
                Content = new StringContent("{}", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Origin", daemon.ApiUrl.ToString().TrimEnd('/'));
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await BreakAsync(null)); // the control: a loopback caller here may act
        Assert.NotEqual(HttpStatusCode.OK, await BreakAsync("Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes("admin:admin"))));
        Assert.NotEqual(HttpStatusCode.OK, await BreakAsync("garbage"));
        Assert.NotEqual(HttpStatusCode.OK, await BreakAsync("bearer not-a-token"));
        Assert.Equal(HttpStatusCode.Forbidden, await BreakAsync("bearer " + readToken.Trim())); // a read token, known in any case: may not act
    }
}
