using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Concentrator.Api;

/// <summary>
/// RFC 7807 problem details for every error the API answers, each naming what is at fault: <c>field</c> (the
/// request field or route value) and, for 400s, <c>errors</c> (field -> problems) as ASP.NET's validation problems do.
/// </summary>
public static class ApiProblems
{
    public static ProblemHttpResult NotFound(string field, string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found",
            extensions: new Dictionary<string, object?> { ["field"] = field });

    public static ValidationProblem BadRequest(string field, string detail) =>
        BadRequest(new Dictionary<string, string[]> { [field] = [detail] });

    /// <summary>A 400 listing every field at fault; <c>field</c> names the first.</summary>
    public static ValidationProblem BadRequest(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: string.Join("; ", errors.SelectMany(e => e.Value)), title: "Invalid request",
            extensions: new Dictionary<string, object?> { ["field"] = errors.Keys.First() });

    /// <summary>The caller's role let it ask, but the port refused (its ACL, its lease): nothing changed.</summary>
    public static ProblemHttpResult Forbidden(string field, string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
            extensions: new Dictionary<string, object?> { ["field"] = field });

    public static ProblemHttpResult Conflict(string field, string detail, IReadOnlyList<string>? problems = null)
    {
        var extensions = new Dictionary<string, object?> { ["field"] = field };
        if (problems is not null)
        {
            extensions["problems"] = problems.ToArray();
        }

        return TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict", extensions: extensions);
    }

    /// <summary>The actor system did not answer in time (overloaded or shutting down): try again.</summary>
    public static ProblemHttpResult Unavailable(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable");
}
