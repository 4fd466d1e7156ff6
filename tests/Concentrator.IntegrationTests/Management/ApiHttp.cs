using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Concentrator.IntegrationTests.Management;

/// <summary>One answer of the management API: status, content type and the body as text and (when JSON) parsed.</summary>
public sealed record ApiReply(HttpStatusCode Status, string? ContentType, string Text, HttpResponseHeaders Headers)
{
    public JsonElement Json => JsonDocument.Parse(Text).RootElement;

    /// <summary>A problem+json answer's "field" (what the request got wrong).</summary>
    public string? Field => Json.TryGetProperty("field", out var f) ? f.GetString() : null;

    public string Detail => Json.GetProperty("detail").GetString() ?? "";

    public override string ToString() => $"{(int)Status} {ContentType}: {Text}";
}

/// <summary>A real HTTP client of the daemon's management API, as any script would be (no shared DTOs: raw JSON).</summary>
public sealed class ApiHttp(Uri baseAddress, string? token = null) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public Task<ApiReply> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<ApiReply> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path);

    public Task<ApiReply> PostAsync(string path, string? json = null) => SendAsync(HttpMethod.Post, path, json);

    public Task<ApiReply> PutAsync(string path, string json) => SendAsync(HttpMethod.Put, path, json);

    public Task<ApiReply> SendAsync(HttpMethod method, string path, string? json = null, string? token2 = null) =>
        SendAsync(_http, method, path, json, (token2 ?? token) is { } t ? new AuthenticationHeaderValue("Bearer", t) : null);

    /// <summary>A renew or release: the lease's own token as <c>Authorization: Lease TOKEN</c>, no API token.</summary>
    public static async Task<ApiReply> WithLeaseTokenAsync(Uri api, HttpMethod method, string path, string leaseToken, string? json = null)
    {
        using var http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(30) };
        return await SendAsync(http, method, path, json, new AuthenticationHeaderValue("Lease", leaseToken));
    }

    private static async Task<ApiReply> SendAsync(HttpClient http, HttpMethod method, string path, string? json, AuthenticationHeaderValue? authorization)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = authorization;
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        return new ApiReply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(),
            response.Headers);
    }

    public void Dispose() => _http.Dispose();
}
