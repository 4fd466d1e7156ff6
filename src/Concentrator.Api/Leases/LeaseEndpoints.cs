using Microsoft.Extensions.DependencyInjection;
using Concentrator.Ports.Security;
using System.Security.Claims;
using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Concentrator.Api.Auth;
using Concentrator.Leases;
using Concentrator.Leases.Hosting;
using Concentrator.Leases.Service;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Concentrator.Api.Leases;

/// <summary>
/// /api/leases: acquire (lease role), list and watch (read), renew and release (the lease token: <c>Authorization: Lease
/// TOKEN</c>), revoke (admin). Renew and release need no API token: the lease token is the authority, and one
/// Authorization header cannot carry both; whoever acquired a lease may end it from anywhere. A lease token acquires
/// for itself (holder <c>web:NAME</c>); only an admin names another holder. A request id is the caller's own: the same
/// id from another caller is another request, so a retry gets its lease (and token) back only for whoever asked.
/// </summary>
public static class LeaseEndpoints
{
    /// <summary>How long renew, release, revoke and list may take (the store writes before answering).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private const string LeasePrefix = "Lease ";

    public static void Map(IEndpointRouteBuilder app)
    {
        var leases = app.MapGroup("/api/leases").WithTags("Leases");
        leases.MapPost("/", AcquireAsync).RequireAuthorization(ApiPolicies.Lease).Accepts<LeaseAcquireRequest>("application/json")
            .WithSummary("Lease a port by name or by tags; waits up to 'wait' for a busy one (201, or 409 when nothing was granted)");
        leases.MapGet("/", ListAsync).RequireAuthorization(ApiPolicies.Read).WithSummary("The leases in force and the queue (never tokens)");
        leases.MapGet("/events", WatchAsync).RequireAuthorization(ApiPolicies.Read)
            .WithSummary("Server-sent events: 'current' (the leases in force), then granted, renewed, released, expired, revoked");
        leases.MapPost("/{id}/renew", RenewAsync).AllowAnonymous().Accepts<LeaseRenewRequest>(isOptional: true, "application/json")
            .WithSummary("Extend a lease (Authorization: Lease TOKEN)");
        leases.MapDelete("/{id}", ReleaseAsync).AllowAnonymous().WithSummary("Release a lease (Authorization: Lease TOKEN)");
        leases.MapPost("/{id}/revoke", RevokeAsync).RequireAuthorization(ApiPolicies.Admin).Accepts<LeaseRevokeRequest>(isOptional: true, "application/json")
            .WithSummary("End someone's lease (administrators)");
    }

    private static async Task<Results<Created<LeaseGrantView>, ValidationProblem, ProblemHttpResult>> AcquireAsync(HttpRequest request,
        ClaimsPrincipal user, ApiAccess access, ILeaseRequests service, CancellationToken cancel)
    {
        var (body, malformed) = await JsonBody.ReadAsync(request, ApiJsonContext.Default.LeaseAcquireRequest, null, cancel).ConfigureAwait(false);
        if (malformed is not null)
        {
            return malformed;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var tags = body!.Tags?.Where(t => !string.IsNullOrWhiteSpace(t)).ToList();
        if ((body.Port is null) == (tags is null or { Count: 0 }))
        {
            errors["port"] = ["expected exactly one of \"port\" (a port's name) and \"tags\" (a non-empty list)"];
        }

        if (!LeaseDuration.TryParse(body.Ttl, out var ttl))
        {
            errors["ttl"] = [$"ttl = \"{body.Ttl}\": expected a duration such as 10m, 1h30m or 90s"];
        }

        var wait = TimeSpan.Zero;
        if (body.Wait is not null && !LeaseDuration.TryParse(body.Wait, out wait))
        {
            errors["wait"] = [$"wait = \"{body.Wait}\": expected a duration such as 2m or 30s (0s answers at once)"];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.BadRequest(errors);
        }

        var caller = LeaseCaller.Of(user);
        var holder = string.IsNullOrWhiteSpace(body.Holder) ? caller : body.Holder;
        if (holder != caller && !ApiPolicies.IsAdmin(user, access))
        {
            return ApiProblems.Forbidden("holder",
                $"{ApiPolicies.Who(user)} acquires leases for itself (holder {caller}); only an admin names another holder. " +
                "Hand the lease's token to the client that should write instead (--lease-token).");
        }

        var acquire = new AcquireLease(body.Port, tags is { Count: > 0 } ? tags : null, ttl, wait, holder, body.ForHost, body.Priority,
            LeaseCaller.Scope(caller, body.RequestId));
        var timeout = wait + DefaultTimeout;
        return await AskAsync(service, acquire, timeout, cancel).ConfigureAwait(false) switch
        {
            LeaseGranted granted => TypedResults.Created($"/api/leases/{granted.Lease.Id}", LeaseGrantView.From(granted)),
            LeaseInvalid invalid => ApiProblems.BadRequest(FieldOf(invalid.Problem), invalid.Problem),
            LeaseNotFound notFound => ApiProblems.NotFound(body.Port is null ? "tags" : "port", notFound.What),
            var other => Problem(other, "port", timeout),
        };
    }

    private static async Task<Results<Ok<LeaseListView>, ProblemHttpResult>> ListAsync(ILeaseRequests service, CancellationToken cancel) =>
        await AskAsync(service, ListLeases.Instance, DefaultTimeout, cancel).ConfigureAwait(false) switch
        {
            LeaseList list => TypedResults.Ok(new LeaseListView(list.Leases.Select(LeaseView.From).ToList(),
                list.Waiting.Select(LeaseWaiterView.From).ToList())),
            var other => Problem(other, "leases", DefaultTimeout),
        };

    private static async Task<Results<Ok<LeaseView>, ValidationProblem, ProblemHttpResult>> RenewAsync(string id, HttpRequest request,
        ILeaseRequests service, CancellationToken cancel)
    {
        if (LeaseToken(request) is not { } token)
        {
            return NoLeaseToken();
        }

        var (body, malformed) = await JsonBody.ReadAsync(request, ApiJsonContext.Default.LeaseRenewRequest, new LeaseRenewRequest(), cancel)
            .ConfigureAwait(false);
        if (malformed is not null)
        {
            return malformed;
        }

        TimeSpan? ttl = null;
        if (body!.Ttl is not null)
        {
            if (!LeaseDuration.TryParse(body.Ttl, out var parsed))
            {
                return ApiProblems.BadRequest("ttl", $"ttl = \"{body.Ttl}\": expected a duration such as 10m, 1h30m or 90s");
            }

            ttl = parsed;
        }

        return await AskAsync(service, new RenewLease(id, token, ttl), DefaultTimeout, cancel).ConfigureAwait(false) switch
        {
            LeaseRenewed renewed => TypedResults.Ok(LeaseView.From(renewed.Lease)),
            LeaseInvalid invalid => ApiProblems.BadRequest("ttl", invalid.Problem),
            var other => Problem(other, "id", DefaultTimeout),
        };
    }

    private static async Task<Results<Ok<LeaseView>, ProblemHttpResult>> ReleaseAsync(string id, HttpRequest request,
        ILeaseRequests service, CancellationToken cancel)
    {
        if (LeaseToken(request) is not { } token)
        {
            return NoLeaseToken();
        }

        return await AskAsync(service, new ReleaseLease(id, token), DefaultTimeout, cancel).ConfigureAwait(false) switch
        {
            LeaseEnded ended => TypedResults.Ok(LeaseView.From(ended.Lease)),
            var other => Problem(other, "id", DefaultTimeout),
        };
    }

    private static async Task<Results<Ok<LeaseView>, ValidationProblem, ProblemHttpResult>> RevokeAsync(string id, HttpRequest request,
        ClaimsPrincipal user, ILeaseRequests service, CancellationToken cancel)
    {
        var (body, malformed) = await JsonBody.ReadAsync(request, ApiJsonContext.Default.LeaseRevokeRequest, new LeaseRevokeRequest(), cancel)
            .ConfigureAwait(false);
        if (malformed is not null)
        {
            return malformed;
        }

        return await AskAsync(service, new RevokeLease(id, ApiPolicies.Who(user), body!.Reason), DefaultTimeout, cancel).ConfigureAwait(false) switch
        {
            LeaseEnded ended => TypedResults.Ok(LeaseView.From(ended.Lease)),
            var other => Problem(other, "id", DefaultTimeout),
        };
    }

    /// <summary>Server-sent events: first <c>current</c> (the leases in force, a JSON array), then one event per change, named by its kind.</summary>
    private static async Task WatchAsync(HttpContext context, ActorSystem system, IRequiredActor<LeaseServiceKey> service, CancellationToken cancel)
    {
        var response = context.Response;
        if (!StreamSlots.TryTake(context.RequestServices.GetService<DaemonSecurity>(), context.Connection.RemoteIpAddress, out var slot, out var refusal))
        {
            await TypedResults.Problem(refusal, statusCode: StatusCodes.Status429TooManyRequests, title: "too many open streams from your address")
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        using var _ = slot;
        await using var watch = await LeaseWatch.OpenAsync(system, service.ActorRef, cancellationToken: cancel).ConfigureAwait(false);
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var current = JsonSerializer.Serialize(watch.Current.Select(LeaseView.From).ToList(), ApiJsonContext.Default.ListLeaseView);
        try
        {
            await response.WriteAsync($"event: current\ndata: {current}\n\n", cancel).ConfigureAwait(false);
            await response.Body.FlushAsync(cancel).ConfigureAwait(false);
            await foreach (var e in watch.Events.ReadAllAsync(cancel).ConfigureAwait(false))
            {
                var view = LeaseEventView.From(e);
                var data = JsonSerializer.Serialize(view, ApiJsonContext.Default.LeaseEventView);
                await response.WriteAsync($"event: {view.Kind}\ndata: {data}\n\n", cancel).ConfigureAwait(false);
                await response.Body.FlushAsync(cancel).ConfigureAwait(false);
            }
        }
        catch (LeaseWatchOverflowException e)
        {
            // The reader fell behind (or the service stopped): say so, and end; the client lists again and watches anew.
            await response.WriteAsync($"event: overflow\ndata: {JsonSerializer.Serialize(e.Message, ApiJsonContext.Default.String)}\n\n", cancel)
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }
    }

    /// <summary>This node's lease service on a single host; in a cluster, the node that owns the port.</summary>
    private static Task<object?> AskAsync(ILeaseRequests service, object message, TimeSpan timeout, CancellationToken cancel) =>
        service.AskAsync(message, timeout, cancel);

    /// <summary>The lease token of <c>Authorization: Lease TOKEN</c>, or null.</summary>
    private static string? LeaseToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith(LeasePrefix, StringComparison.OrdinalIgnoreCase) && header.Length > LeasePrefix.Length
            ? header[LeasePrefix.Length..].Trim()
            : null;
    }

    private static ProblemHttpResult NoLeaseToken() =>
        TypedResults.Problem("the lease's token is required: Authorization: Lease TOKEN (the token the acquire answered)",
            statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
            extensions: new Dictionary<string, object?> { ["field"] = "Authorization" });

    /// <summary>"ttl 2d: must be ..." names the ttl; "wait ..." the wait; anything else the target.</summary>
    private static string FieldOf(string problem) =>
        problem.StartsWith("ttl", StringComparison.Ordinal) ? "ttl"
        : problem.StartsWith("wait", StringComparison.Ordinal) ? "wait"
        : problem.StartsWith("priority", StringComparison.Ordinal) ? "priority"
        : problem.StartsWith("holder", StringComparison.Ordinal) ? "holder"
        : problem.StartsWith("for", StringComparison.OrdinalIgnoreCase) ? "forHost"
        : "body";

    /// <summary>The answers every lease request may get, as problems.</summary>
    private static ProblemHttpResult Problem(object? answer, string field, TimeSpan timeout) => answer switch
    {
        LeaseNotGranted no => ApiProblems.Conflict(field, no.Reason),
        LeaseNotFound notFound => ApiProblems.NotFound(field, notFound.What),
        LeaseInvalid invalid => Status(StatusCodes.Status400BadRequest, "Invalid request", field, invalid.Problem),
        LeaseForbidden forbidden => Status(StatusCodes.Status403Forbidden, "Forbidden", "Authorization", forbidden.Reason),
        LeaseGone gone => Status(StatusCodes.Status410Gone, "Gone", field, gone.Reason),
        LeaseQueueFull full => Status(StatusCodes.Status429TooManyRequests, "Too many requests", field, full.Reason),
        LeaseUnavailable unavailable => ApiProblems.Unavailable(unavailable.Reason),
        null => ApiProblems.Unavailable($"the lease service did not answer within {timeout.TotalSeconds:0} s; try again"),
        _ => ApiProblems.Unavailable($"unexpected answer from the lease service: {answer.GetType().Name}"),
    };

    private static ProblemHttpResult Status(int status, string title, string field, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title, extensions: new Dictionary<string, object?> { ["field"] = field });
}
