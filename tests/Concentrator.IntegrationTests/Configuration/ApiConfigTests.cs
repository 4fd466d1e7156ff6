using System.Net;
using Concentrator.Api.Configuration;
using Concentrator.Ports.Configuration;

namespace Concentrator.IntegrationTests.Configuration;

/// <summary>concentrator.api { ... }: read by the API itself, defaulted and validated like every other section.</summary>
public sealed class ApiConfigTests
{
    private const string Port = """concentrator.ports.p { device = "sim:echo", listeners = [ { port = 7001 } ] }""";

    private static ConfigResult Load(string api) => ConfigLoader.Load(Port + "\n" + api, "test.conf", "/etc/concentrator",
        sections: Concentrator.Hosting.FeatureSections.All);

    [Fact]
    public void Without_the_section_the_api_is_on_at_loopback_7900_without_tokens_and_read_only_for_anonymous_callers()
    {
        var api = Load("").Settings!.ApiSettings();
        Assert.Equal(new ApiSettings(true, IPAddress.Loopback, 7900, null, false), api);
    }

    [Fact]
    public void Reads_every_key_and_resolves_the_tokens_file_next_to_the_config()
    {
        var result = Load("""concentrator.api { enabled = on, bind = "0.0.0.0", port = 8080, tokens-file = "tokens.conf", allow-anonymous-actions = on }""");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(new ApiSettings(true, IPAddress.Any, 8080, "/etc/concentrator/tokens.conf", true), result.Settings!.ApiSettings());
    }

    [Theory]
    [InlineData("concentrator.api.port = 0", "concentrator.api.port", "0")]
    [InlineData("concentrator.api.port = 7001", "concentrator.api.port", "7001")]
    [InlineData("concentrator.api.bind = nowhere", "concentrator.api.bind", "nowhere")]
    [InlineData("concentrator.api.bind = \"10.0.0.5\"", "concentrator.api.bind", "10.0.0.5")]
    [InlineData("concentrator.api.enabled = maybe", "concentrator.api.enabled", "maybe")]
    [InlineData("concentrator.api.allow-anonymous-action = on", "concentrator.api.allow-anonymous-action", "on")]
    [InlineData("concentrator.api = 7900", "concentrator.api", "7900")]
    public void Problems_name_the_key_and_value(string api, string key, string value)
    {
        var result = Load(api);
        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.Equal(key, error.Key);
        Assert.Equal(value, error.Value);
        Assert.Equal("test.conf", error.File);
    }

    [Fact]
    public void A_misspelt_key_gets_a_suggestion_and_a_reachable_bind_without_tokens_says_what_to_do()
    {
        Assert.Contains("did you mean 'allow-anonymous-actions'", Load("concentrator.api.allow-anonymous-action = on").Errors[0].Problem, StringComparison.Ordinal);
        Assert.Contains("needs a tokens-file", Load("concentrator.api.bind = \"0.0.0.0\"").Errors[0].Problem, StringComparison.Ordinal);
        Assert.True(Load("concentrator.api { bind = \"0.0.0.0\", enabled = off }").IsValid); // off: nothing is exposed
    }

    [Fact]
    public void The_http_entry_keys_take_the_listeners_network_syntax_and_default_to_no_filter_no_proxies_and_anonymous_reads()
    {
        var plain = Load("").Settings!.ApiSettings();
        Assert.True(plain.Sources.IsEmpty);
        Assert.True(plain.TrustedProxies.IsEmpty);
        Assert.True(plain.AllowAnonymousReads);
        Assert.Null(plain.Tls);

        var result = Load("""
            concentrator.api {
              allow = ["10.0.0.0/8", "127.0.0.1"], deny = ["10.9.0.0/16"], trusted-proxies = ["127.0.0.1", "fd00::/8"]
              allow-anonymous-reads = off
            }
            """);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var api = result.Settings!.ApiSettings();
        Assert.Equal("allow [10.0.0.0/8, 127.0.0.1/32] deny [10.9.0.0/16]", api.Sources.ToString());
        Assert.Equal("denied by 10.9.0.0/16", api.Sources.Refusal(IPAddress.Parse("10.9.1.1")));
        Assert.Equal("not in the allow list", api.Sources.Refusal(IPAddress.Parse("192.168.1.1")));
        Assert.True(api.TrustedProxies.Contains(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.True(api.TrustedProxies.Contains(IPAddress.Parse("fd00::1")));
        Assert.False(api.TrustedProxies.Contains(IPAddress.Parse("127.0.0.2")));
        Assert.False(api.AllowAnonymousReads);
        Assert.Contains("anonymous loopback callers get nothing", api.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("concentrator.api.allow = [\"10.1.2.3/8\"]", "concentrator.api.allow", "10.1.2.3/8", "bits set beyond the prefix")]
    [InlineData("concentrator.api.deny = \"10.0.0.0/8\"", "concentrator.api.deny", "10.0.0.0/8", "expected a list of networks")]
    [InlineData("concentrator.api.trusted-proxies = [\"proxy.example\"]", "concentrator.api.trusted-proxies", "proxy.example", "expected a network")]
    [InlineData("concentrator.api.allow-anonymous-reads = maybe", "concentrator.api.allow-anonymous-reads", "maybe", "expected on | off")]
    [InlineData("concentrator.api { allow-anonymous-reads = off, allow-anonymous-actions = on }", "concentrator.api.allow-anonymous-actions", "on",
        "contradicts allow-anonymous-reads = off")]
    [InlineData("concentrator.api.tls { certificate = \"/nonexistent/server.crt\", key = \"/nonexistent/server.key\", client-ca = \"/nonexistent/ca.crt\" }",
        "concentrator.api.tls.client-ca", "/nonexistent/ca.crt", "certificate and key only")]
    [InlineData("concentrator.api.tls { certificate = \"/nonexistent/server.crt\", key = \"/nonexistent/server.key\" }",
        "concentrator.api.tls.certificate", "/nonexistent/server.crt", "cannot read the file")]
    [InlineData("concentrator.api.tls { certificate = \"/nonexistent/server.crt\" }", "concentrator.api.tls.key", null, "missing")]
    public void Http_entry_mistakes_name_the_file_key_and_value(string api, string key, string? value, string problem)
    {
        var result = Load(api);
        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors, e => e.Key == key);
        Assert.Equal(value, error.Value);
        Assert.Equal("test.conf", error.File);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
    }
}
