using Concentrator.Ports.Security;
using Microsoft.AspNetCore.Http;

namespace Concentrator.Web.Access;

/// <summary>
/// CSRF and cross-site WebSocket protection. The dashboard's authority is ambient (the caller's address, later a
/// cookie), so a page from another origin must not be able to use it: every state change must come from a page
/// of this origin, and so must every browser's terminal WebSocket (browsers do not apply CORS to WebSockets, so the
/// server has to check <c>Origin</c> itself).
/// </summary>
public static class SameOrigin
{
    /// <summary>
    /// A state-changing request (POST): its <c>Origin</c> header must be present and name this server, and a
    /// <c>Sec-Fetch-Site</c> header, where the browser sends one, must say same-origin. Browsers send <c>Origin</c> on
    /// every POST; scripts that are not browsers use the management API instead.
    /// </summary>
    public static bool AllowsChange(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        return origin.Length > 0 && Matches(request, origin) && FetchSiteIsSameOrigin(request);
    }

    /// <summary>
    /// A WebSocket upgrade: a browser always sends <c>Origin</c>, which must name this server; a client that is not a
    /// browser (no <c>Origin</c>) is judged by its rights alone.
    /// </summary>
    public static bool AllowsWebSocket(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        return (origin.Length == 0 || Matches(request, origin)) && FetchSiteIsSameOrigin(request);
    }

    /// <summary>Whether <paramref name="origin"/> ("scheme://host[:port]") is the origin the request was sent to.</summary>
    public static bool Matches(HttpRequest request, string origin) =>
        HttpOrigin.IsSameOrigin(origin, request.IsHttps, request.Host.Host, request.Host.Port);

    private static bool FetchSiteIsSameOrigin(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        return site.Length == 0 || site is "same-origin" or "none";
    }
}
