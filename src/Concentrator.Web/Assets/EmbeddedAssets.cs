using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Concentrator.Web.Assets;

/// <summary>
/// The pages, scripts and styles embedded in this assembly (wwwroot/, and xterm.js restored by the build), served
/// from memory with a content hash as ETag: nothing to deploy beside the daemon's binaries, nothing read from disk.
/// </summary>
public sealed class EmbeddedAssets
{
    private const string Prefix = "wwwroot/";

    private readonly FrozenDictionary<string, Asset> _assets;

    public EmbeddedAssets()
    {
        var assembly = typeof(EmbeddedAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 12)) + "\"";
            assets[name[Prefix.Length..]] = new Asset(bytes, ContentType(name), etag);
        }

        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The asset names, e.g. "index.html", "lib/xterm.mjs".</summary>
    public IEnumerable<string> Names => _assets.Keys;

    public bool Contains(string path) => _assets.ContainsKey(path);

    /// <summary>Writes the asset (or 304 when the browser has it, 404 when there is none).</summary>
    public Task ServeAsync(HttpContext context, string path)
    {
        var response = context.Response;
        if (!_assets.TryGetValue(path, out var asset))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        response.Headers.ETag = asset.ETag;
        response.Headers.CacheControl = "no-cache"; // revalidated each time: a new build is picked up at once
        response.Headers.XContentTypeOptions = "nosniff";
        if (path.EndsWith(".html", StringComparison.Ordinal))
        {
            // xterm.js styles its rows with inline style elements; everything else comes from this origin only.
            // The recordings page's player runs its terminal emulator as WebAssembly: that page alone may compile it.
            var wasm = path == "recordings.html" ? "; script-src 'self' 'wasm-unsafe-eval'" : "";
            response.Headers.ContentSecurityPolicy =
                "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'" + wasm;
            response.Headers["Referrer-Policy"] = "same-origin";
        }

        if (context.Request.Headers.IfNoneMatch.ToString() == asset.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Bytes.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(asset.Bytes).AsTask();
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" or ".mjs" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".json" => "application/json",
        _ => "text/plain; charset=utf-8",
    };

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);
}
