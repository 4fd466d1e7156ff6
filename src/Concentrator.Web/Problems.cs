using Microsoft.AspNetCore.Http;

namespace Concentrator.Web;

/// <summary>Errors as RFC 9457 problem details, like the management API's.</summary>
internal static class Problems
{
    public static Task Write(HttpContext context, int status, string title, string? detail = null) =>
        Results.Problem(detail: detail, statusCode: status, title: title).ExecuteAsync(context);

    public static Task Forbidden(HttpContext context, string detail) =>
        Write(context, StatusCodes.Status403Forbidden, "forbidden", detail);

    public static Task PortNotFound(HttpContext context, string port) =>
        Write(context, StatusCodes.Status404NotFound, "no such port", $"there is no port '{port}'");
}
