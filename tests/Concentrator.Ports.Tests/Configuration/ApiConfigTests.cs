using System.Net;
using Concentrator.Ports.Configuration;

namespace Concentrator.Ports.Tests.Configuration;

/// <summary>concentrator.api { ... }: read, defaulted and validated like every other section.</summary>
public sealed class ApiConfigTests
{
    private const string Port = """concentrator.ports.p { device = "sim:echo", listeners = [ { port = 7001 } ] }""";

    private static ConfigResult Load(string api) => ConfigLoader.Load(Port + "\n" + api, "test.conf", "/etc/concentrator");

    [Fact]
    public void Without_the_section_the_api_is_on_at_loopback_7900_without_tokens_and_read_only_for_anonymous_callers()
    {
        var api = Load("").Settings!.Api;
        Assert.Equal(new ApiSettings(true, IPAddress.Loopback, 7900, null, false), api);
    }

    [Fact]
    public void Reads_every_key_and_resolves_the_tokens_file_next_to_the_config()
    {
        var result = Load("""concentrator.api { enabled = on, bind = "0.0.0.0", port = 8080, tokens-file = "tokens.conf", allow-anonymous-actions = on }""");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(new ApiSettings(true, IPAddress.Any, 8080, "/etc/concentrator/tokens.conf", true), result.Settings!.Api);
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
}
