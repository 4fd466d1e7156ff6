using System.Net;

namespace Concentrator.Ports.Security;

/// <summary>
/// What the HTTP entry points (the management API, the dashboard) ask of a request's names, without ASP.NET: whether a
/// Host header names this machine's loopback, and whether an Origin header names the server the request was sent to.
/// One copy, so the API and the dashboard cannot drift apart on what counts as local or same-origin.
/// </summary>
public static class HttpOrigin
{
    /// <summary>"localhost", a 127.0.0.0/8 address or ::1 (brackets allowed).</summary>
    public static bool IsLoopbackHost(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) ||
               (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>
    /// Whether <paramref name="origin"/> ("scheme://host[:port]") is the origin of a request sent over
    /// <paramref name="https"/> to <paramref name="host"/> (the Host header's host) and <paramref name="port"/> (its
    /// port, or null for the scheme's default).
    /// </summary>
    public static bool IsSameOrigin(string origin, bool https, string host, int? port)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(host);
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || (uri.AbsolutePath != "/" && uri.AbsolutePath.Length > 0))
        {
            return false;
        }

        return string.Equals(uri.Scheme, https ? "https" : "http", StringComparison.OrdinalIgnoreCase) &&
               string.Equals(uri.IdnHost.Trim('[', ']'), host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase) &&
               uri.Port == (port ?? (https ? 443 : 80));
    }
}
