using System.CommandLine;
using Concentrator.Api.Configuration;

namespace Concentrator.Management;

/// <summary>
/// What every management verb takes: <c>--api URL</c> (default http://127.0.0.1:7900), <c>--api-token T</c> (or the
/// environment variable CONCENTRATOR_API_TOKEN; a token on the command line shows in ps), <c>--api-ca FILE</c> (or
/// CONCENTRATOR_API_CA: the CA an https API's certificate must chain to) and <c>--json</c>.
/// </summary>
internal sealed class ApiOptions
{
    public const string TokenVariable = "CONCENTRATOR_API_TOKEN";
    public const string CaVariable = "CONCENTRATOR_API_CA";

    public Option<Uri> Api { get; } = new("--api")
    {
        Description = "The daemon's management API",
        HelpName = "URL",
        DefaultValueFactory = _ => new Uri(ApiSettings.Default.Url),
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                return uri;
            }

            result.AddError($"--api '{text}': expected a URL such as http://127.0.0.1:7900");
            return null;
        },
    };

    public Option<string> Token { get; } = new("--api-token")
    {
        Description = $"A bearer token for the API (default: the environment variable {TokenVariable})",
        HelpName = "TOKEN",
    };

    public Option<string> Ca { get; } = new("--api-ca")
    {
        Description = $"PEM file of the CA an https API's certificate must chain to (default: {CaVariable}, else the system's trusted roots)",
        HelpName = "FILE",
    };

    public Option<bool> Json { get; } = new("--json") { Description = "Print the API's JSON answer instead of text, for scripts" };

    public void AddTo(Command command)
    {
        command.Options.Add(Api);
        command.Options.Add(Token);
        command.Options.Add(Ca);
        command.Options.Add(Json);
    }

    public ApiClient Client(ParseResult parse) =>
        new(parse.GetRequiredValue(Api), parse.GetValue(Token) ?? NonEmpty(Environment.GetEnvironmentVariable(TokenVariable)),
            parse.GetValue(Ca) ?? NonEmpty(Environment.GetEnvironmentVariable(CaVariable)));

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
