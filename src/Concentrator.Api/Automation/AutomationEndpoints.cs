using System.Security.Claims;
using System.Text.RegularExpressions;
using Concentrator.Api.Auth;
using Concentrator.Api.Ports;
using Concentrator.Ports.Automation;
using Concentrator.Ports.Management;
using Concentrator.Ports.Power;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Concentrator.Api.Automation;

/// <summary>
/// Expect and the output stream on a port's always-on capture (interface.md "Automation"). Watching needs read on the
/// port (read role, and the port's ACL lists the caller); expect's send needs what any action needs (operate role, then
/// the port checks its ACL and lease, see <see cref="Requester"/>) and goes through the port's data plane. Both read the
/// capture off the port's threads. Ports of this node only: the capture does not cross nodes.
/// </summary>
public static class AutomationEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var ports = app.MapGroup("/api/ports").WithTags("Automation");
        ports.MapPost("/{name}/expect", ExpectAsync).RequireAuthorization(ApiPolicies.Read)
            .Accepts<ExpectRequest>("application/json")
            .WithSummary("Optionally send, then wait for the first of some patterns in the output; 200 matched, 408 timed out");
        ports.MapGet("/{name}/output", StreamAsync).RequireAuthorization(ApiPolicies.Read)
            .WithSummary("The port's output from an offset (from=OFFSET|start|now), streamed as raw bytes");
    }

    private static async Task<IResult> ExpectAsync(string name, HttpRequest request, ClaimsPrincipal user, ApiAccess access,
        IAuthorizationService authorization, PortsGateway supervisor, CancellationToken cancel)
    {
        var (body, malformed) = await JsonBody.ReadAsync(request, ApiJsonContext.Default.ExpectRequest, null, cancel).ConfigureAwait(false);
        if (malformed is not null)
        {
            return malformed;
        }

        var (expect, errors) = body!.Validate();
        if (expect is null)
        {
            return ApiProblems.BadRequest(errors);
        }

        if ((expect.Send is not null || expect.Power is not null) && !(await authorization.AuthorizeAsync(user, ApiPolicies.Operate).ConfigureAwait(false)).Succeeded)
        {
            return ApiProblems.Forbidden(expect.Send is not null ? "send" : "power",
                "sending and switching power need an operate (or admin) token; a read token may only watch");
        }

        var requester = ApiPolicies.RequesterOf(user, access);
        var (capture, problem) = await OpenAsync(name, requester, supervisor, cancel).ConfigureAwait(false);
        if (capture is null)
        {
            return problem!;
        }

        var from = expect.From.Resolve(capture); // before the power switch and the send: the answer cannot come before it
        if (expect.Power is { } power && await SwitchPowerAsync(name, power, requester, supervisor, cancel).ConfigureAwait(false) is { } powerProblem)
        {
            return powerProblem;
        }

        if (expect.Send is { Length: > 0 } send)
        {
            switch (await supervisor.AskAsync(new SendToPort(name, send, requester), cancel).ConfigureAwait(false))
            {
                case Done:
                    break;
                case ActionRefused refused:
                    return ApiProblems.Forbidden("send", refused.Reason);
                case PortOffline offline:
                    return ApiProblems.Conflict("send", $"port '{name}' is {offline.State.ToString().ToLowerInvariant()}: nothing can be sent");
                case PortNotFound:
                    return PortEndpoints.NoSuchPort(name);
                default:
                    return ApiProblems.Unavailable(PortsGateway.NoAnswer());
            }
        }

        ExpectResult result;
        try
        {
            result = await Expect.RunAsync(capture, from, expect.Patterns, expect.Timeout, cancel).ConfigureAwait(false);
        }
        catch (RegexMatchTimeoutException e)
        {
            return ApiProblems.BadRequest("pattern", $"\"{e.Pattern}\" took too long to match; it is not run");
        }

        return TypedResults.Json(ExpectView.Of(result), ApiJsonContext.Default.ExpectView,
            statusCode: result.Matched ? StatusCodes.Status200OK : StatusCodes.Status408RequestTimeout);
    }

    private static async Task<IResult> StreamAsync(string name, HttpContext context, ClaimsPrincipal user, ApiAccess access,
        PortsGateway supervisor, CancellationToken cancel)
    {
        ExpectFrom from;
        if (!ExpectFrom.TryParse(context.Request.Query["from"].FirstOrDefault() ?? "now", out from))
        {
            return ApiProblems.BadRequest("from", $"from = {context.Request.Query["from"]}: expected now, start or a byte offset");
        }

        var (capture, problem) = await OpenAsync(name, ApiPolicies.RequesterOf(user, access), supervisor, cancel).ConfigureAwait(false);
        if (capture is null)
        {
            return problem!;
        }

        var response = context.Response;
        response.ContentType = "application/octet-stream";
        response.Headers["X-Content-Type-Options"] = "nosniff";
        var next = from.Resolve(capture);
        response.Headers["X-Output-Offset"] = Math.Max(next, capture.Start).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await response.StartAsync(cancel).ConfigureAwait(false);
        var buffer = new byte[64 * 1024];
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                var (at, count) = capture.Read(next, buffer);
                if (count == 0)
                {
                    await response.Body.FlushAsync(cancel).ConfigureAwait(false);
                    await capture.WaitBeyondAsync(next, cancel).ConfigureAwait(false);
                    continue;
                }

                await response.Body.WriteAsync(buffer.AsMemory(0, count), cancel).ConfigureAwait(false);
                next = at + count;
            }
        }
        catch (OperationCanceledException)
        {
            // the client went away: the stream ends with it
        }

        return Results.Empty;
    }

    /// <summary>
    /// Power-cycle (or on, off) and expect the boot in one call: the port's own power control, its own check of the requester
    /// (the lease holder while leased); null when it switched, or the problem to answer.
    /// </summary>
    private static async Task<IResult?> SwitchPowerAsync(string name, PowerAction action, Requester requester,
        PortsGateway supervisor, CancellationToken cancel) =>
        await supervisor.AskAsync(new SwitchPower(name, action, requester), cancel, PowerEndpoint.AskTimeout).ConfigureAwait(false) switch
        {
            PowerSwitched { Ok: true } => null,
            PowerSwitched failed => ApiProblems.Conflict("power",
                $"power {PowerActions.Word(action)} failed: {failed.Output.Trim()}"),
            PowerNotConfigured => ApiProblems.Conflict("power",
                $"port '{name}' has no power control for '{PowerActions.Word(action)}'"),
            ActionRefused refused => ApiProblems.Forbidden("power", refused.Reason),
            PortNotFound => PortEndpoints.NoSuchPort(name),
            _ => ApiProblems.Unavailable(PortsGateway.NoAnswer(PowerEndpoint.AskTimeout)),
        };

    /// <summary>The port's capture, or the problem to answer (no such port here, refused, no answer).</summary>
    private static async Task<(OutputCapture? Capture, IResult? Problem)> OpenAsync(string name, Requester requester, PortsGateway supervisor,
        CancellationToken cancel) =>
        await supervisor.AskAsync(new OpenCapture(name, requester), cancel).ConfigureAwait(false) switch
        {
            CaptureOpened opened => (opened.Capture, null),
            ActionRefused refused => (null, ApiProblems.Forbidden("name", refused.Reason)),
            PortNotFound => (null, PortEndpoints.NoSuchPort(name)),
            _ => (null, ApiProblems.Unavailable(PortsGateway.NoAnswer())),
        };
}
