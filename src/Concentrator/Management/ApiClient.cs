using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Concentrator.Api;
using Concentrator.Commands;

namespace Concentrator.Management;

/// <summary>What the daemon answered: the value (and its JSON as sent) on success, else an exit code and a message.</summary>
internal sealed record ApiAnswer<T>(T? Value, string Json, int ExitCode, string? Error, int Status = 0) where T : class
{
    public bool Ok => Error is null;
}

/// <summary>
/// The CLI verbs' side of the management API: one request, the answer parsed with the daemon's own JSON contract
/// (<see cref="ApiJsonContext"/>), and every failure turned into a one-line message and an exit code: 4 not found,
/// 2 a request or config the daemon rejected as invalid, 1 anything else (unreachable, refused, not allowed).
/// </summary>
internal sealed class ApiClient(Uri baseAddress, string? token) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = System.Threading.Timeout.InfiniteTimeSpan };

    public Task<ApiAnswer<T>> GetAsync<T>(string path, JsonTypeInfo<T> type) where T : class =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, path), type);

    public Task<ApiAnswer<T>> DeleteAsync<T>(string path, JsonTypeInfo<T> type) where T : class =>
        SendAsync(new HttpRequestMessage(HttpMethod.Delete, path), type);

    public Task<ApiAnswer<T>> PostAsync<T>(string path, JsonTypeInfo<T> type) where T : class =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("", Encoding.UTF8, "application/json") }, type);

    /// <summary>
    /// A request with a JSON body (none when null); <paramref name="leaseToken"/> sends <c>Authorization: Lease TOKEN</c>
    /// instead of the API token; <paramref name="timeout"/> replaces the usual 30 s (an acquire waits up to its --wait).
    /// </summary>
    public Task<ApiAnswer<T>> SendAsync<T>(HttpMethod method, string path, string? json, JsonTypeInfo<T> type, string? leaseToken = null,
        TimeSpan? timeout = null) where T : class =>
        SendAsync(new HttpRequestMessage(method, path) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") },
            type, leaseToken, timeout);

    private async Task<ApiAnswer<T>> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> type, string? leaseToken = null,
        TimeSpan? timeout = null) where T : class
    {
        using (request)
        {
            if (leaseToken is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Lease", leaseToken);
            }
            else if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            var limit = timeout ?? Timeout;

            string body;
            HttpStatusCode status;
            try
            {
                using var cancel = new CancellationTokenSource(limit);
                using var response = await _http.SendAsync(request, cancel.Token).ConfigureAwait(false);
                status = response.StatusCode;
                body = await response.Content.ReadAsStringAsync(cancel.Token).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                var why = e.InnerException is SocketException s ? s.Message : e.Message;
                return Failed<T>(ExitCodes.Failure, $"cannot reach the daemon's API at {_http.BaseAddress}: {why} " +
                    "(is `concentrator serve` running with concentrator.api enabled? --api URL names another address)");
            }
            catch (OperationCanceledException)
            {
                return Failed<T>(ExitCodes.Failure, $"the daemon's API at {_http.BaseAddress} did not answer within {limit.TotalSeconds:0} s");
            }

            if ((int)status is >= 200 and < 300)
            {
                try
                {
                    return new ApiAnswer<T>(JsonSerializer.Deserialize(body, type), body, ExitCodes.Ok, null);
                }
                catch (JsonException e)
                {
                    return Failed<T>(ExitCodes.Failure, $"the daemon answered something that is not the expected JSON: {e.Message}");
                }
            }

            var exit = status switch
            {
                HttpStatusCode.NotFound => ExitCodes.NotFound,
                HttpStatusCode.BadRequest => ExitCodes.Usage,
                _ => ExitCodes.Failure,
            };
            return Failed<T>(exit, $"{Describe(body, status)} (HTTP {(int)status})", body) with { Status = (int)status };
        }
    }

    /// <summary>The problem's detail and, for a config, every problem on its own line.</summary>
    private static string Describe(string body, HttpStatusCode status)
    {
        try
        {
            if (JsonSerializer.Deserialize(body, ApiJsonContext.Default.ProblemDetails) is { } problem)
            {
                var text = new StringBuilder(problem.Detail ?? problem.Title ?? status.ToString());
                if (problem.Extensions.TryGetValue("problems", out var list) && list is JsonElement { ValueKind: JsonValueKind.Array } items)
                {
                    text.Clear().Append(problem.Title ?? "refused").Append(", nothing changed:");
                    foreach (var item in items.EnumerateArray())
                    {
                        text.Append("\n  ").Append(item.GetString());
                    }
                }

                return text.ToString();
            }
        }
        catch (JsonException)
        {
        }

        return string.IsNullOrWhiteSpace(body) ? status.ToString() : body.Trim();
    }

    private static ApiAnswer<T> Failed<T>(int exit, string error, string json = "") where T : class => new(null, json, exit, error);

    public void Dispose() => _http.Dispose();
}
