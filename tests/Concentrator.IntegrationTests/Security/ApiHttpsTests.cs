using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using Concentrator.IntegrationTests.Management;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Security;

/// <summary>
/// Issue 22 (the HTTP entry): api.tls { certificate, key } serves the API and the dashboard over HTTPS with the
/// listeners' PEM loader, so they can leave loopback without a proxy; the source filter still acts before the
/// handshake; the session cookie is Secure; the CLI trusts a CA given with --api-ca. Certificates are made by the real
/// openssl for each run (<see cref="TestPki"/>), and the clients are the real curl, openssl s_client and our CLI.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ApiHttpsTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private (TestPki Pki, string TokensFile, string Token) Setup()
    {
        var dir = Track(new TempDirectory("apitls")).FullName;
        var tokens = Path.Combine(dir, "tokens.conf");
        var (exit, token, stderr) = Cli.Run("token", "add", "ops", "--role", "admin", "--tokens-file", tokens);
        Assert.True(exit == 0, stderr);
        return (TestPki.Create(dir), tokens, token.Trim());
    }

    [Fact]
    public async Task The_api_and_dashboard_serve_https_and_the_cli_trusts_the_ca_it_is_given()
    {
        var (pki, tokens, token) = Setup();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.p { device = "sim:echo", listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
            concentrator.api { tokens-file = "{{tokens}}", deny = ["127.0.0.2"], tls { certificate = "{{pki.ServerCertificate}}", key = "{{pki.ServerKey}}" } }
            """));
        daemon.WaitOnline("p");
        daemon.WaitFor($@"api: https://127\.0\.0\.1:{daemon.ApiPort}");
        var api = $"https://127.0.0.1:{daemon.ApiPort}";

        Assert.Equal("200", (await Curl.StatusAndBody(api + "/api/ports", "--cacert", pki.CaCertificate)).Status);
        Assert.Equal(60, (await Curl.StatusAndBody(api + "/api/ports")).ExitCode); // a CA curl does not know: refused
        Assert.NotEqual(0, (await Curl.StatusAndBody($"http://127.0.0.1:{daemon.ApiPort}/api/ports")).ExitCode); // no plain HTTP here

        // openssl sees the certificate chain to the CA, for the name in it.
        var openssl = await Run("openssl", "s_client", "-connect", $"127.0.0.1:{daemon.ApiPort}", "-CAfile", pki.CaCertificate,
            "-verify_hostname", "localhost", "-brief");
        Assert.Contains("Verification: OK", openssl, StringComparison.Ordinal);

        // Signing in over HTTPS sets a Secure cookie.
        var login = await Curl.Run("-s", "--cacert", pki.CaCertificate, "-D", "-", "-o", "/dev/null", "-X", "POST",
            "-H", $"Origin: {api}", "--data-urlencode", $"token={token}", api + "/login");
        Assert.Contains("set-cookie: concentrator_session=", login.Stdout.ToLowerInvariant(), StringComparison.Ordinal);
        Assert.Contains("; secure", login.Stdout.ToLowerInvariant(), StringComparison.Ordinal);

        // A denied source is refused at accept: before any handshake.
        using (var denied = SourceAddressedClient.Connect("127.0.0.2", daemon.ApiPort))
        {
            Assert.True(SourceAddressedClient.ClosedWithoutData(denied, Timeout));
        }

        daemon.WaitFor(@"refused 127\.0\.0\.2: denied by 127\.0\.0\.2/32");

        // The CLI: --api-ca or its environment variable; without either, a clear refusal.
        var (exit, stdout, stderr) = Cli.Run("ports", "--api", api, "--api-ca", pki.CaCertificate);
        Assert.True(exit == 0, stderr);
        Assert.Contains("sim:echo", stdout, StringComparison.Ordinal);
        (exit, _, stderr) = Cli.Run(new Dictionary<string, string> { ["CONCENTRATOR_API_CA"] = pki.CaCertificate }, "ports", "--api", api);
        Assert.True(exit == 0, stderr);
        (exit, _, stderr) = Cli.Run("ports", "--api", api);
        Assert.Equal(1, exit);
        Assert.Contains("is not trusted", stderr, StringComparison.Ordinal);
        Assert.Contains("--api-ca", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streams_multiplexed_on_one_http2_connection_count_one_by_one()
    {
        var (pki, tokens, _) = Setup();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.security.max-connections-per-source = 2
            concentrator.ports.p { device = "sim:echo", listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ] }
            concentrator.api { tokens-file = "{{tokens}}", tls { certificate = "{{pki.ServerCertificate}}", key = "{{pki.ServerKey}}" } }
            """));
        daemon.WaitOnline("p");
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        handler.SslOptions.CertificateChainPolicy.CustomTrustStore.Add(X509Certificate2.CreateFromPem(File.ReadAllText(pki.CaCertificate)));
        using var http = new HttpClient(handler)
        {
            BaseAddress = new Uri($"https://127.0.0.1:{daemon.ApiPort}"),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = Timeout,
        };

        // One connection (slot 1), one feed on it (slot 2); a second feed on the same connection is one too many.
        using var first = await OpenFeed(http, "/api/events");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpVersion.Version20, first.Version);
        using var second = await OpenFeed(http, "/api/leases/events");
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Contains("max-connections-per-source 2 reached", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_http_on_an_address_other_machines_reach_is_warned_about_and_https_is_not()
    {
        var (pki, tokens, _) = Setup();
        const string Port = """concentrator.ports.p { device = "sim:echo", listeners = [ { port = 7000, protocol = raw } ] }""";
        var (exit, output) = DaemonProcess.Run(Port + $$"""

            concentrator.api { bind = "0.0.0.0", tokens-file = "{{tokens}}" }
            """, "--check");
        Assert.Equal(0, exit);
        Assert.Matches(@"warning: api: http://0\.0\.0\.0:\d+ is plain HTTP on an address other machines reach", output);

        (exit, output) = DaemonProcess.Run(Port + $$"""

            concentrator.api { bind = "0.0.0.0", tokens-file = "{{tokens}}", tls { certificate = "{{pki.ServerCertificate}}", key = "{{pki.ServerKey}}" } }
            """, "--check");
        Assert.Equal(0, exit);
        Assert.Matches(@"api: https://0\.0\.0\.0:\d+, tokens from", output);
        Assert.DoesNotContain("warning:", output, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> OpenFeed(HttpClient http, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative))
        {
            Version = http.DefaultRequestVersion, // a request made by hand does not take the client's defaults
            VersionPolicy = http.DefaultVersionPolicy,
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    /// <summary>stdout then stderr of a program run to its end (s_client ends at the end of its closed input).</summary>
    private static async Task<string> Run(string file, params string[] args) =>
        (await ExternalCommand.RunAsync(file, args, timeout: Timeout)).Output;
}
