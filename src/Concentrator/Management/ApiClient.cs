using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
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
internal sealed class ApiClient : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;
    private readonly string? _token;
    private readonly string? _caProblem; // --api-ca could not be read: every request says so instead of trying

    /// <summary><paramref name="caFile"/>: the only CA an https API's certificate may chain to (null: the system's roots).</summary>
    public ApiClient(Uri baseAddress, string? token, string? caFile = null)
    {
        _token = token;
        var handler = new SocketsHttpHandler();
        if (caFile is not null)
        {
            try
            {
                var roots = new X509Certificate2Collection();
                roots.ImportFromPemFile(caFile);
                if (roots.Count == 0)
                {
                    _caProblem = $"--api-ca {caFile}: no certificate in the file (expected PEM: -----BEGIN CERTIFICATE-----)";
                }

                handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    RevocationMode = X509RevocationMode.NoCheck,
                    DisableCertificateDownloads = true,
                };
                handler.SslOptions.CertificateChainPolicy.CustomTrustStore.AddRange(roots);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
            {
                _caProblem = $"--api-ca {caFile}: {e.Message}";
            }
        }

        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

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
            if (_caProblem is not null)
            {
                return Failed<T>(ExitCodes.Usage, _caProblem);
            }

            if (leaseToken is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Lease", leaseToken);
            }
            else if (_token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
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
            catch (HttpRequestException e) when (e.InnerException is AuthenticationException tls)
            {
                return Failed<T>(ExitCodes.Failure, $"the daemon's API at {_http.BaseAddress} is not trusted: {tls.Message} " +
                    $"(give the CA that signed its certificate with --api-ca FILE or {ApiOptions.CaVariable})");
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
