using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Security;

/// <summary>The real curl, run to completion: its exit code (0, or e.g. 52 / 56 for a connection closed without an answer) and output.</summary>
public static class Curl
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        /// <summary>With <see cref="StatusAndBody"/>'s arguments: the HTTP status, the last line curl printed.</summary>
        public string Status => Stdout.TrimEnd().Split('\n')[^1];

        public string Body => Stdout.TrimEnd()[..^Status.Length];

        /// <summary>A problem+json body's detail.</summary>
        public string Detail => System.Text.Json.JsonDocument.Parse(Body).RootElement.GetProperty("detail").GetString() ?? "";

        public override string ToString() => $"curl exit {ExitCode}: {Stdout}{Stderr}";
    }

    /// <summary>curl -s ARGS URL: the body, then the status code on a line of its own.</summary>
    public static Task<Result> StatusAndBody(string url, params string[] args) =>
        Run(["-s", "-w", "\n%{http_code}", .. args, url]);

    public static async Task<Result> Run(params string[] args)
    {
        var run = await ExternalCommand.RunAsync("curl", args, timeout: Timeout);
        return new Result(run.ExitCode, run.Stdout, run.Stderr);
    }
}
