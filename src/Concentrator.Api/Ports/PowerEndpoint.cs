using System.Security.Claims;
using System.Text.Json.Serialization;
using Concentrator.Api.Auth;
using Concentrator.Ports.Management;
using Concentrator.Ports.Power;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Concentrator.Api.Ports;

/// <summary>POST /api/ports/{name}/power: <c>{"action":"on|off|cycle|status"}</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PowerRequest(string? Action = null);

/// <summary>What the power command did: <c>{"action","ok","output"}</c>.</summary>
public sealed record PowerView(string Action, bool Ok, string Output);

/// <summary>
/// Power control bound to a port (operate role; the port itself refuses a requester that may not write it, or that
/// does not hold its lease). Answers when the command has ended, so the wait covers the port's power timeout.
/// </summary>
public static class PowerEndpoint
{
    /// <summary>Longer than any sensible power timeout; the port kills its command at its own.</summary>
    internal static readonly TimeSpan AskTimeout = TimeSpan.FromMinutes(2);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/ports/{name}/power", SwitchAsync).RequireAuthorization(ApiPolicies.Operate).WithTags("Ports")
            .Accepts<PowerRequest>("application/json").WithSummary("Power on, off, cycle, or ask the status; answers what the command printed");
    }

    private static async Task<Results<Ok<PowerView>, ValidationProblem, ProblemHttpResult>> SwitchAsync(string name, HttpRequest request,
        ClaimsPrincipal user, ApiAccess access, PortsGateway supervisor, IOtherNodes others, CancellationToken cancel)
    {
        var (body, malformed) = await JsonBody.ReadAsync(request, ApiJsonContext.Default.PowerRequest, null, cancel).ConfigureAwait(false);
        if (malformed is not null)
        {
            return malformed;
        }

        if (!PowerActions.TryParse(body!.Action, out var action))
        {
            return ApiProblems.BadRequest("action", $"action = \"{body.Action}\": expected {string.Join(" | ", PowerActions.Words)}");
        }

        var ask = new SwitchPower(name, action, ApiPolicies.RequesterOf(user, access));
        var answer = await supervisor.AskAsync(ask, cancel, AskTimeout).ConfigureAwait(false);
        if (answer is PortNotFound && await others.AskOwnerAsync(name, ask, cancel).ConfigureAwait(false) is { } remote)
        {
            answer = remote.Answer;
        }

        return answer switch
        {
            PowerSwitched done => TypedResults.Ok(new PowerView(PowerActions.Word(done.Action), done.Ok, done.Output)),
            PowerNotConfigured => ApiProblems.Conflict("action", $"port '{name}' has no power control for '{PowerActions.Word(action)}'"),
            PortNotFound => PortEndpoints.NoSuchPort(name),
            ActionRefused refused => ApiProblems.Forbidden("name", refused.Reason),
            _ => ApiProblems.Unavailable(PortsGateway.NoAnswer(AskTimeout)),
        };
    }
}
