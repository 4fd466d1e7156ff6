using System.Security.Claims;
using Concentrator.Api.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Concentrator.Api.Reload;

/// <summary>POST /api/reload: re-read the config; sessions of unchanged and changed ports stay connected.</summary>
public static class ReloadEndpoints
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGroup("/api/reload").WithTags("Reload")
            .MapPost("/", ReloadAsync).RequireAuthorization(ApiPolicies.Admin)
            .WithSummary("Re-read and apply the config file the daemon was started with; a config with any problem changes nothing");

    private static async Task<Results<Ok<ReloadView>, ProblemHttpResult>> ReloadAsync(ClaimsPrincipal user, ConfigReloader reloader,
        CancellationToken cancel) =>
        await reloader.ReloadAsync(ApiPolicies.Who(user), cancel).ConfigureAwait(false) switch
        {
            ReloadApplied applied => TypedResults.Ok(applied.Changes),
            ReloadInvalid invalid => Problem(StatusCodes.Status400BadRequest, "Invalid configuration",
                $"the config has {invalid.Problems.Count} problem(s); nothing changed", invalid.Problems),
            ReloadRefused refused => Problem(StatusCodes.Status409Conflict, "Reload refused",
                $"the config could not be applied; nothing changed", refused.Problems),
            ReloadUnanswered unanswered => ApiProblems.Unavailable(unanswered.Detail),
            var other => throw new InvalidOperationException($"unexpected reload outcome {other}"),
        };

    private static ProblemHttpResult Problem(int status, string title, string detail, IReadOnlyList<string> problems) =>
        TypedResults.Problem(detail + ": " + string.Join("; ", problems), statusCode: status, title: title,
            extensions: new Dictionary<string, object?> { ["field"] = "config", ["problems"] = problems.ToArray() });
}
