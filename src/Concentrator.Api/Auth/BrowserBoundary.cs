using Concentrator.Ports.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Concentrator.Api.Auth;

/// <summary>
/// What a browser may do to the API on someone's behalf. A page from another site can make the visitor's browser send
/// requests to 127.0.0.1 (or, after DNS rebinding, read the answers): it must get nothing from the trust the API gives a
/// loopback caller. So anonymous loopback trust needs a loopback <c>Host</c> (a rebound name is not one; see
/// <see cref="TokenAuthenticationHandler"/>), and a state-changing request (POST, PUT, PATCH, DELETE) is refused
/// when it comes with an <c>Origin</c> that is not this server's (403) or a body that is not JSON (415: a cross-site
/// form or a no-cors fetch can only send text/plain, form or multipart bodies without a preflight). Clients that are not
/// browsers (curl, our CLI, schedulers) send no <c>Origin</c> and are unaffected. Bodies are small JSON: anything over
/// <see cref="MaxBodyBytes"/> is refused before it is read (renew and release are open to callers without an API
/// token, who must not make the daemon buffer megabytes). Each refusal is logged, at most once per source per interval
/// (<see cref="RefusalLog"/>): a page hammering the API does not flood the log.
/// </summary>
public static partial class BrowserBoundary
{
    /// <summary>The largest request body the API reads.</summary>
    public const long MaxBodyBytes = 64 * 1024;

    /// <summary>The boundary in front of the API's endpoints (<c>/api/...</c>); the dashboard checks its own requests.</summary>
    public static IApplicationBuilder UseBrowserBoundary(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal), api => api.Use(async (context, next) =>
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = MaxBodyBytes; // a chunked body that says nothing of its size is cut here
            }

            if (Refusal(context.Request) is { } refusal)
            {
                LogRefusal(context, refusal.Detail);
                await WriteProblem(context, refusal).ConfigureAwait(false);
                return;
            }

            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
            {
                await WriteProblem(context, TooLarge).ConfigureAwait(false); // a body that did not say its size up front
            }
        }));

    private static readonly (int Status, string Title, string Detail) TooLarge =
        (StatusCodes.Status413PayloadTooLarge, "Payload Too Large", $"request bodies are at most {MaxBodyBytes} bytes");

    private static void LogRefusal(HttpContext context, string detail)
    {
        var source = context.Connection.RemoteIpAddress;
        var refusals = context.RequestServices.GetService<DaemonSecurity>()?.Refusals;
        var suppressed = 0;
        if (refusals is null || refusals.ShouldLog(source, "browser-boundary", out suppressed))
        {
            var log = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Concentrator.Api.Auth");
            LogRefused(log, context.Request.Method, context.Request.Path, source?.ToString() ?? "?", detail, refusals?.Summary(suppressed) ?? "");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "api: refused {Method} {Path} from {Source}: {Detail}{Suppressed}")]
    private static partial void LogRefused(ILogger logger, string method, string path, string source, string detail, string suppressed);

    private static Task WriteProblem(HttpContext context, (int Status, string Title, string Detail) problem)
    {
        context.Response.StatusCode = problem.Status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = problem.Status, Title = problem.Title, Detail = problem.Detail },
        }).AsTask();
    }

    /// <summary>Why a request is refused at the boundary, or null.</summary>
    public static (int Status, string Title, string Detail)? Refusal(HttpRequest request)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        {
            return null;
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !IsThisServer(request, origin))
        {
            return (StatusCodes.Status403Forbidden, "Forbidden", $"a request from the page at {origin} may not change anything here");
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return TooLarge;
        }

        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        if (hasBody && !IsJson(request.ContentType))
        {
            return (StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type",
                $"a request body must be JSON (Content-Type: application/json), not '{request.ContentType}'");
        }

        return null;
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null && (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ||
                                    (contentType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) &&
                                     contentType.Split(';')[0].EndsWith("+json", StringComparison.OrdinalIgnoreCase)));

    private static bool IsThisServer(HttpRequest request, string origin) =>
        HttpOrigin.IsSameOrigin(origin, request.IsHttps, request.Host.Host, request.Host.Port);
}
