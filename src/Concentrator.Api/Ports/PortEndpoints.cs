using System.Security.Claims;
using Concentrator.Api.Auth;
using Concentrator.Ports.Management;
using Concentrator.Ports.Port;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Concentrator.Api.Ports;

/// <summary>
/// /api/ports: list and inspect ports (read), change line settings, send a break, hand out the write lock (operate: the
/// port itself checks an operate token against its ACL and lease, see <see cref="Requester"/>).
/// </summary>
public static class PortEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var ports = app.MapGroup("/api/ports").WithTags("Ports");
        ports.MapGet("/", ListAsync).RequireAuthorization(ApiPolicies.Read)
            .WithSummary("Every port: state, device, line settings, modem lines, counters, sessions, tags");
        ports.MapGet("/{name}", GetAsync).RequireAuthorization(ApiPolicies.Read).WithSummary("One port");
        ports.MapPut("/{name}/line", SetLineAsync).RequireAuthorization(ApiPolicies.Operate)
            .Accepts<LineChangeRequest>("application/json").WithSummary("Change line settings (any subset); answers the values in effect");
        ports.MapPost("/{name}/break", SendBreakAsync).RequireAuthorization(ApiPolicies.Operate)
            .Accepts<BreakRequest>(isOptional: true, "application/json").WithSummary("Send a break (default 250 ms)");
        ports.MapPost("/{name}/write-lock", GrantWriteLockAsync).RequireAuthorization(ApiPolicies.Operate)
            .Accepts<WriteLockGrant>("application/json").WithSummary("Give a session the write lock");
        PowerEndpoint.Map(app);
    }

    public static ProblemHttpResult NoSuchPort(string name) => ApiProblems.NotFound("name", $"no port named '{name}'");

    /// <summary>This node's ports, then (in a cluster) those of every other reachable node, each with its node.</summary>
    private static async Task<Results<Ok<List<PortView>>, ProblemHttpResult>> ListAsync(PortsGateway supervisor, IOtherNodes others,
        CancellationToken cancel)
    {
        var elsewhere = others.ListAsync(cancel);
        if (await supervisor.AskAsync(ListPorts.Instance, cancel).ConfigureAwait(false) is not PortList list)
        {
            return ApiProblems.Unavailable(PortsGateway.NoAnswer());
        }

        var views = list.Ports.Select(p => PortView.From(p, others.LocalNode)).ToList();
        views.AddRange((await elsewhere.ConfigureAwait(false)).SelectMany(n => n.Ports.Select(p => PortView.From(p, n.Node))));
        return TypedResults.Ok(views.OrderBy(v => v.Name, StringComparer.Ordinal).ToList());
    }

    private static async Task<Results<Ok<PortView>, ProblemHttpResult>> GetAsync(string name, PortsGateway supervisor, IOtherNodes others,
        CancellationToken cancel) =>
        await AskPortAsync(name, new GetPort(name), supervisor, others, cancel).ConfigureAwait(false) switch
        {
            (PortSnapshot port, var node) => TypedResults.Ok(PortView.From(port, node)),
            (PortNotFound, _) => NoSuchPort(name),
            _ => ApiProblems.Unavailable(PortsGateway.NoAnswer()),
        };

    /// <summary>
    /// A request for one port: this node's supervisor, or — when the port is not here — the node that has it (in a
    /// cluster), so any node's API acts on any port. The answer comes with the node that gave it.
    /// </summary>
    internal static async Task<(object? Answer, string? Node)> AskPortAsync(string port, object request, PortsGateway supervisor,
        IOtherNodes others, CancellationToken cancel)
    {
        var answer = await supervisor.AskAsync(request, cancel).ConfigureAwait(false);
        if (answer is PortNotFound && await others.AskOwnerAsync(port, request, cancel).ConfigureAwait(false) is { } remote)
        {
            return (remote.Answer, remote.Node);
        }

        return (answer, others.LocalNode);
    }

    private static async Task<Results<Ok<LineStateView>, ValidationProblem, ProblemHttpResult>> SetLineAsync(string name, HttpRequest request,
        ClaimsPrincipal user, ApiAccess access, PortsGateway supervisor, IOtherNodes others, CancellationToken cancel)
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
        return (await AskPortAsync(name, new SetLine(name, change, ApiPolicies.RequesterOf(user, access)), supervisor, others, cancel).ConfigureAwait(false)).Answer switch
        {
            PortLineState state => TypedResults.Ok(LineStateView.From(state)),
            LineChanged changed => TypedResults.Ok(LineStateView.From(changed.State)),
            PortNotFound => NoSuchPort(name),
            ActionRefused refused => ApiProblems.Forbidden("name", refused.Reason),
            _ => ApiProblems.Unavailable(PortsGateway.NoAnswer()),
        };
    }

    private static async Task<Results<Ok<ActionDone>, ValidationProblem, ProblemHttpResult>> SendBreakAsync(string name, HttpRequest request,
        ClaimsPrincipal user, ApiAccess access, PortsGateway supervisor, IOtherNodes others, CancellationToken cancel)
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

        return (await AskPortAsync(name, new SendBreakTo(name, TimeSpan.FromMilliseconds(ms), ApiPolicies.RequesterOf(user, access)), supervisor, others, cancel)
            .ConfigureAwait(false)).Answer switch
        {
            Done done => TypedResults.Ok(new ActionDone(done.What)),
            PortNotFound => NoSuchPort(name),
            ActionRefused refused => ApiProblems.Forbidden("name", refused.Reason),
            PortOffline offline => ApiProblems.Conflict("name", $"port '{name}' is {offline.State.ToString().ToLowerInvariant()}: the break cannot reach the device"),
            _ => ApiProblems.Unavailable(PortsGateway.NoAnswer()),
        };
    }

    private static async Task<Results<Ok<ActionDone>, ValidationProblem, ProblemHttpResult>> GrantWriteLockAsync(string name, HttpRequest request,
        ClaimsPrincipal user, ApiAccess access, PortsGateway supervisor, IOtherNodes others, CancellationToken cancel)
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

        return (await AskPortAsync(name, new ForceWriteLock(name, number, ApiPolicies.RequesterOf(user, access)), supervisor, others, cancel).ConfigureAwait(false)).Answer switch
        {
            Done done => TypedResults.Ok(new ActionDone(done.What)),
            PortNotFound => NoSuchPort(name),
            SessionNotFound => ApiProblems.NotFound("session", $"no session {SessionSnapshot.IdOf(name, number)}"),
            ActionRefused refused => ApiProblems.Forbidden("session", refused.Reason),
            _ => ApiProblems.Unavailable(PortsGateway.NoAnswer()),
        };
    }
}
