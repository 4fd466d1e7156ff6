using System.Security.Claims;
using Concentrator.Api.Auth;
using Concentrator.Api.Ports;
using Concentrator.Ports.Management;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Concentrator.Api.Sessions;

/// <summary>Sessions: a port's list (read) and kicking one by its id "port:number" (operate).</summary>
public static class SessionEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/ports/{name}/sessions", ListAsync).WithTags("Sessions").RequireAuthorization(ApiPolicies.Read)
            .WithSummary("The sessions of one port, oldest first");
        app.MapGroup("/api/sessions").WithTags("Sessions")
            .MapDelete("/{id}", KickAsync).RequireAuthorization(ApiPolicies.Operate)
            .WithSummary("Close a session (its client is told why, then disconnected)");
    }

    private static async Task<Results<Ok<List<SessionView>>, ProblemHttpResult>> ListAsync(string name, PortsGateway supervisor,
        IOtherNodes others, CancellationToken cancel) =>
        (await PortEndpoints.AskPortAsync(name, new GetPort(name), supervisor, others, cancel).ConfigureAwait(false)).Answer switch
        {
            PortSnapshot port => TypedResults.Ok(port.Sessions.Select(SessionView.From).ToList()),
            PortNotFound => PortEndpoints.NoSuchPort(name),
            _ => ApiProblems.Unavailable(PortsGateway.NoAnswer()),
        };

    private static async Task<Results<Ok<ActionDone>, ValidationProblem, ProblemHttpResult>> KickAsync(string id, ClaimsPrincipal user,
        ApiAccess access, PortsGateway supervisor, IOtherNodes others, CancellationToken cancel)
    {
        if (!SessionSnapshot.TryParseId(id, out var port, out var number))
        {
            return ApiProblems.BadRequest("id", $"id = \"{id}\": expected a session id PORT:NUMBER, e.g. lab:3 (see GET /api/ports/PORT/sessions)");
        }

        return (await PortEndpoints.AskPortAsync(port, new KickSession(port, number, ApiPolicies.RequesterOf(user, access)), supervisor, others, cancel)
            .ConfigureAwait(false)).Answer switch
        {
            Done done => TypedResults.Ok(new ActionDone(done.What)),
            PortNotFound => ApiProblems.NotFound("id", $"no port named '{port}' (session id {id})"),
            SessionNotFound => ApiProblems.NotFound("id", $"no session {id}"),
            ActionRefused refused => ApiProblems.Forbidden("id", refused.Reason),
            _ => ApiProblems.Unavailable(PortsGateway.NoAnswer()),
        };
    }
}
