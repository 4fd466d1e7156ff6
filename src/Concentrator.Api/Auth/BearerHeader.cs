namespace Concentrator.Api.Auth;

/// <summary>
/// The one reading of an <c>Authorization</c> header for the API and the dashboard: <c>Bearer TOKEN</c>, the scheme in any
/// case (RFC 9110: schemes are case-insensitive). Anything else in the header is a malformed credential, never "none".
/// </summary>
public static class BearerHeader
{
    private const string Prefix = "Bearer ";

    /// <summary>Whether the header carries a credential at all (then it must be a bearer token).</summary>
    public static bool IsPresent(string header) => !string.IsNullOrEmpty(header);

    public static bool TryParse(string header, out string token)
    {
        ArgumentNullException.ThrowIfNull(header);
        var ok = header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && header.Length > Prefix.Length;
        token = ok ? header[Prefix.Length..].Trim() : "";
        return ok && token.Length > 0;
    }
}
