using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Concentrator.Api;

/// <summary>
/// Reads a JSON request body ourselves rather than through parameter binding, so that malformed JSON or a value of
/// the wrong type is answered with a 400 problem naming the field at fault ("baud": "expected a number") instead
/// of a bare 400.
/// </summary>
public static class JsonBody
{
    /// <summary>The body as <typeparamref name="T"/>; an empty body gives <paramref name="whenEmpty"/> (a 400 when that is null).</summary>
    public static async Task<(T? Value, ValidationProblem? Problem)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type, T? whenEmpty,
        CancellationToken cancel)
        where T : class
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancel).ConfigureAwait(false);
        if (buffer.Length == 0 || buffer.ToArray().All(b => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
        {
            return whenEmpty is not null
                ? (whenEmpty, null)
                : (null, ApiProblems.BadRequest("body", "expected a JSON object in the request body"));
        }

        try
        {
            var value = JsonSerializer.Deserialize(buffer.ToArray(), type);
            return value is null
                ? (null, ApiProblems.BadRequest("body", "expected a JSON object, not null"))
                : (value, null);
        }
        catch (JsonException e)
        {
            var field = FieldOf(e.Path);
            var detail = e.Message switch
            {
                _ when e.Message.Contains("could not be mapped", StringComparison.Ordinal) =>
                    $"{field}: unknown field (the fields are in GET /openapi/v1.json)",
                _ when e.Message.Contains("could not be converted", StringComparison.Ordinal) =>
                    $"{field}: a value of the wrong type (the types are in GET /openapi/v1.json)",
                _ => $"malformed JSON{(field == "body" ? "" : $" at '{field}'")}: {WithoutPosition(e.Message)}",
            };
            return (null, ApiProblems.BadRequest(field, detail));
        }
    }

    /// <summary>"$.baud" -> "baud"; the root ("$" or none) -> "body"; an unknown member names itself.</summary>
    private static string FieldOf(string? path) =>
        path is null or "$" || !path.StartsWith("$.", StringComparison.Ordinal) ? "body" : path[2..];

    /// <summary>System.Text.Json's message without its " Path: $ | LineNumber: ..." tail.</summary>
    private static string WithoutPosition(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
    }
}
