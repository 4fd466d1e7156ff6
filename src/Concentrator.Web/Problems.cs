using Concentrator.Ports.Management;
using Microsoft.AspNetCore.Http;

namespace Concentrator.Web;

/// <summary>Errors as RFC 9457 problem details, like the management API's.</summary>
internal static class Problems
{
    public static Task Write(HttpContext context, int status, string title, string? detail = null) =>
        Results.Problem(detail: detail, statusCode: status, title: title).ExecuteAsync(context);

    public static Task Forbidden(HttpContext context, string detail) =>
        Write(context, StatusCodes.Status403Forbidden, "forbidden", detail);

    /// <summary>The supervisor did not answer in time (<see cref="PortsGateway"/> said null): 503, as the management API says it.</summary>
    public static Task NoAnswer(HttpContext context) =>
        Write(context, StatusCodes.Status503ServiceUnavailable, "the ports supervisor did not answer", PortsGateway.NoAnswer());

    public static Task PortNotFound(HttpContext context, string port) =>
        Write(context, StatusCodes.Status404NotFound, "no such port", $"there is no port '{port}'");
}
