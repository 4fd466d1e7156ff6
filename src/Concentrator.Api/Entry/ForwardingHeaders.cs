using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Concentrator.Api.Entry;

/// <summary>
/// The headers by which a proxy says who its client is. Only X-Forwarded-For, X-Forwarded-Proto and Forwarded are
/// followed (from trusted proxies); any of them, or X-Forwarded-Host or X-Real-IP, tells that a proxy is in front.
/// RFC 7239's Forwarded is turned into the X-Forwarded pair that ASP.NET's middleware reads.
/// </summary>
internal static class ForwardingHeaders
{
    public const string Forwarded = "Forwarded";
    public const string ForwardedFor = "X-Forwarded-For";
    public const string ForwardedProto = "X-Forwarded-Proto";

    private static readonly string[] ProxySigns = [Forwarded, ForwardedFor, ForwardedProto, "X-Forwarded-Host", "X-Real-IP"];

    /// <summary>The first header present that only a proxy sends, or null.</summary>
    public static string? AnyPresent(IHeaderDictionary headers) =>
        ProxySigns.FirstOrDefault(name => !StringValues.IsNullOrEmpty(headers[name]));

    /// <summary>After a trusted proxy's headers were followed: one that named no client is left, or null.</summary>
    public static string? LeftOver(IHeaderDictionary headers) =>
        new[] { Forwarded, ForwardedFor }.FirstOrDefault(name => !StringValues.IsNullOrEmpty(headers[name]));

    /// <summary>
    /// Forwarded (for=...;proto=..., one element per hop) as X-Forwarded-For / X-Forwarded-Proto, when the request has
    /// neither of those; left as it is (and so not followed) when an element has no for= or cannot be read.
    /// </summary>
    public static void TranslateForwarded(IHeaderDictionary headers)
    {
        var forwarded = headers[Forwarded].ToString();
        if (forwarded.Length == 0 || !StringValues.IsNullOrEmpty(headers[ForwardedFor]) || !StringValues.IsNullOrEmpty(headers[ForwardedProto]))
        {
            return;
        }

        var fors = new List<string>();
        var protos = new List<string>();
        foreach (var element in SplitOutsideQuotes(forwarded, ','))
        {
            string? @for = null, proto = null;
            foreach (var pair in SplitOutsideQuotes(element, ';'))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    return;
                }

                var value = pair[(equals + 1)..].Trim().Trim('"');
                switch (pair[..equals].Trim().ToLowerInvariant())
                {
                    case "for":
                        @for = value;
                        break;
                    case "proto":
                        proto = value;
                        break;
                }
            }

            if (string.IsNullOrEmpty(@for))
            {
                return;
            }

            fors.Add(@for);
            if (proto is not null)
            {
                protos.Add(proto);
            }
        }

        headers[ForwardedFor] = string.Join(", ", fors);
        if (protos.Count == fors.Count)
        {
            headers[ForwardedProto] = string.Join(", ", protos); // only when every hop said: the lists pair up from the right
        }

        headers.Remove(Forwarded);
    }

    private static IEnumerable<string> SplitOutsideQuotes(string text, char separator)
    {
        var start = 0;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '"')
            {
                quoted = !quoted;
            }
            else if (text[i] == separator && !quoted)
            {
                yield return text[start..i].Trim();
                start = i + 1;
            }
        }

        yield return text[start..].Trim();
    }
}
