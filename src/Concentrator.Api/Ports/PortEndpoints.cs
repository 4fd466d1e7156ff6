using System.Security.Claims;
using Concentrator.Api.Auth;
using Concentrator.Ports.Management;
using Concentrator.Ports.Port;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Concentrator.Api.Ports;

/// <summary>/api/ports: list and inspect ports (read), change line settings, send a break, hand out the write lock (act).</summary>
public static class PortEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var ports = app.MapGroup("/api/ports").WithTags("Ports");
        ports.MapGet("/", ListAsync).RequireAuthorization(ApiPolicies.Read)
            .WithSummary("Every port: state, device, line settings, modem lines, counters, sessions, tags");
        ports.MapGet("/{name}", GetAsync).RequireAuthorization(ApiPolicies.Read).WithSummary("One port");
        ports.MapPut("/{name}/line", SetLineAsync).RequireAuthorization(ApiPolicies.Act)
            .Accepts<LineChangeRequest>("application/json").WithSummary("Change line settings (any subset); answers the values in effect");
        ports.MapPost("/{name}/break", SendBreakAsync).RequireAuthorization(ApiPolicies.Act)
            .Accepts<BreakRequest>(isOptional: true, "application/json").WithSummary("Send a break (default 250 ms)");
        ports.MapPost("/{name}/write-lock", GrantWriteLockAsync).RequireAuthorization(ApiPolicies.Act)
            .Accepts<WriteLockGrant>("application/json").WithSummary("Give a session the write lock");
    }

    public static ProblemHttpResult NoSuchPort(string name) => ApiProblems.NotFound("name", $"no port named '{name}'");

    private static async Task<Results<Ok<List<PortView>>, ProblemHttpResult>> ListAsync(PortsSupervisorClient supervisor, CancellationToken cancel) =>
        await supervisor.AskAsync(ListPorts.Instance, cancel).ConfigureAwait(false) switch
        {
            PortList list => TypedResults.Ok(list.Ports.Select(PortView.From).ToList()),
            _ => ApiProblems.Unavailable(PortsSupervisorClient.NoAnswer()),
        };

    private static async Task<Results<Ok<PortView>, ProblemHttpResult>> GetAsync(string name, PortsSupervisorClient supervisor, CancellationToken cancel) =>
        await supervisor.AskAsync(new GetPort(name), cancel).ConfigureAwait(false) switch
        {
            PortSnapshot port => TypedResults.Ok(PortView.From(port)),
            PortNotFound => NoSuchPort(name),
            _ => ApiProblems.Unavailable(PortsSupervisorClient.NoAnswer()),
        };

    private static async Task<Results<Ok<LineStateView>, ValidationProblem, ProblemHttpResult>> SetLineAsync(string name, HttpRequest request,
        ClaimsPrincipal user, PortsSupervisorClient supervisor, CancellationToken cancel)
    {
        var (body, malformed) = await JsonBody.ReadAsync(request, ApiJsonContext.Default.LineChangeRequest, null, cancel).ConfigureAwait(false);
        if (malformed is not null)
        {
            return malformed;
        }

        var (change, errors) = body!.Validate();
        if (change is null)
        {
            return ApiProblems.BadRequest(errors);
        }

        // The port answers once the device has applied the change, with the values actually in effect.
        return await supervisor.AskAsync(new SetLine(name, change, ApiPolicies.Who(user)), cancel).ConfigureAwait(false) switch
        {
            PortLineState state => TypedResults.Ok(LineStateView.From(state)),
            LineChanged changed => TypedResults.Ok(LineStateView.From(changed.State)),
            PortNotFound => NoSuchPort(name),
            _ => ApiProblems.Unavailable(PortsSupervisorClient.NoAnswer()),
        };
    }

    private static async Task<Results<Ok<ActionDone>, ValidationProblem, ProblemHttpResult>> SendBreakAsync(string name, HttpRequest request,
        ClaimsPrincipal user, PortsSupervisorClient supervisor, CancellationToken cancel)
    {
        var (body, malformed) = await JsonBody.ReadAsync(request, ApiJsonContext.Default.BreakRequest, new BreakRequest(), cancel).ConfigureAwait(false);
        if (malformed is not null)
        {
            return malformed;
        }

        var ms = body!.DurationMs ?? BreakRequest.DefaultMs;
        if (ms is < 1 or > BreakRequest.MaxMs)
        {
            return ApiProblems.BadRequest("durationMs", $"durationMs = {ms}: expected 1 to {BreakRequest.MaxMs}");
        }

        return await supervisor.AskAsync(new SendBreakTo(name, TimeSpan.FromMilliseconds(ms), ApiPolicies.Who(user)), cancel).ConfigureAwait(false) switch
        {
            Done done => TypedResults.Ok(new ActionDone(done.What)),
            PortNotFound => NoSuchPort(name),
            PortOffline offline => ApiProblems.Conflict("name", $"port '{name}' is {offline.State.ToString().ToLowerInvariant()}: the break cannot reach the device"),
            _ => ApiProblems.Unavailable(PortsSupervisorClient.NoAnswer()),
        };
    }

    private static async Task<Results<Ok<ActionDone>, ValidationProblem, ProblemHttpResult>> GrantWriteLockAsync(string name, HttpRequest request,
        ClaimsPrincipal user, PortsSupervisorClient supervisor, CancellationToken cancel)
    {
        var (body, malformed) = await JsonBody.ReadAsync(request, ApiJsonContext.Default.WriteLockGrant, null, cancel).ConfigureAwait(false);
        if (malformed is not null)
        {
            return malformed;
        }

        var session = body!.Session ?? "";
        // "lab:3", or just "3" for a session of this port.
        if (!SessionSnapshot.TryParseId(session, out var port, out var number) &&
            !SessionSnapshot.TryParseId($"{name}:{session}", out port, out number))
        {
            return ApiProblems.BadRequest("session", $"session = \"{session}\": expected a session id such as \"{name}:3\"");
        }

        if (port != name)
        {
            return ApiProblems.BadRequest("session", $"session {session} belongs to port '{port}', not '{name}'");
        }

        return await supervisor.AskAsync(new ForceWriteLock(name, number, ApiPolicies.Who(user)), cancel).ConfigureAwait(false) switch
        {
            Done done => TypedResults.Ok(new ActionDone(done.What)),
            PortNotFound => NoSuchPort(name),
            SessionNotFound => ApiProblems.NotFound("session", $"no session {SessionSnapshot.IdOf(name, number)}"),
            _ => ApiProblems.Unavailable(PortsSupervisorClient.NoAnswer()),
        };
    }
}
