using Concentrator.Ports.Security;
using System.Text;
using System.Text.Json;
using Concentrator.Ports.Management;
using Concentrator.Web.Access;
using Concentrator.Web.Dashboard;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Concentrator.Web.Events;

/// <summary>
/// <c>GET /api/events</c>: the dashboard's live feed as server-sent events. First <c>hello</c> (who the caller is,
/// which controls to show) and <c>ports</c> (every port), then <c>port</c> (one port's new snapshot) and
/// <c>removed</c> (a port's name) as they happen; in a cluster also <c>cluster</c> (the nodes and the other nodes'
/// ports, <see cref="ClusterFeed"/>) at once and whenever it changes; a comment line when idle so a vanished browser
/// is noticed. The browser's EventSource reconnects by itself and gets the full list again.
/// </summary>
internal static class EventsEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var access = await services.GetRequiredService<IDashboardAuthorizer>().AuthorizeAsync(context).ConfigureAwait(false);
        if (!access.Can(DashboardRights.View))
        {
            await Problems.Forbidden(context, "you may not view the dashboard").ConfigureAwait(false);
            return;
        }

        if (!StreamSlots.TryTake(services.GetService<DaemonSecurity>(), context.Connection.RemoteIpAddress, out var slot, out var refusal))
        {
            await Problems.Write(context, StatusCodes.Status429TooManyRequests, "too many open streams from your address", refusal!).ConfigureAwait(false);
            return;
        }

        using var _ = slot;
        var hub = services.GetRequiredService<PortEventHub>();
        var options = services.GetRequiredService<IOptions<DashboardOptions>>().Value;
        // The feed ends with the request or with the daemon: a server that stops waits for open requests to finish.
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted,
            services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        var cancellation = ending.Token;
        var mailbox = await hub.SubscribeAsync(cancellation).ConfigureAwait(false);
        if (mailbox is null)
        {
            await Problems.Write(context, StatusCodes.Status503ServiceUnavailable, "too many open dashboards", "close one and reload").ConfigureAwait(false);
            return;
        }

        try
        {
            // Subscribed before the list is taken: a change in between arrives as an update after the list.
            var list = await services.GetRequiredService<PortsGateway>().ListAsync(cancellation).ConfigureAwait(false)
                ?? throw new TimeoutException(PortsGateway.NoAnswer()); // as before: no feed without the ports
            var response = context.Response;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

            var hello = new HelloJson(access.Principal, access.Can(DashboardRights.Operate), access.Can(DashboardRights.Terminal),
                typeof(EventsEndpoint).Assembly.GetName().Version?.ToString(3) ?? "?");
            await WriteEventAsync(response, "hello", JsonSerializer.Serialize(hello, DashboardJsonContext.Default.HelloJson), cancellation).ConfigureAwait(false);
            var ports = list.Ports.Select(PortJson.From).ToList();
            await WriteEventAsync(response, "ports", JsonSerializer.Serialize(ports, DashboardJsonContext.Default.ListPortJson), cancellation).ConfigureAwait(false);
            if (services.GetRequiredService<ClusterFeed>().Current() is { } cluster)
            {
                await WriteEventAsync(response, "cluster", cluster, cancellation).ConfigureAwait(false);
            }

            await response.Body.FlushAsync(cancellation).ConfigureAwait(false);

            while (!cancellation.IsCancellationRequested)
            {
                if (!await mailbox.WaitAsync(options.EventKeepAlive, cancellation).ConfigureAwait(false))
                {
                    await response.Body.WriteAsync(": keep-alive\n\n"u8.ToArray(), cancellation).ConfigureAwait(false);
                    await response.Body.FlushAsync(cancellation).ConfigureAwait(false);
                    continue;
                }

                foreach (var update in mailbox.TakeAll())
                {
                    await (update.Json is { } json
                        ? WriteEventAsync(response, "port", json, cancellation)
                        : WriteEventAsync(response, "removed", JsonSerializer.Serialize(update.Port, DashboardJsonContext.Default.String), cancellation))
                        .ConfigureAwait(false);
                }

                if (mailbox.TakeCluster() is { } nodes)
                {
                    await WriteEventAsync(response, "cluster", nodes, cancellation).ConfigureAwait(false);
                }

                await response.Body.FlushAsync(cancellation).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // the browser went away, or the daemon is stopping (the browser's EventSource reconnects by itself)
        }
        finally
        {
            hub.Unsubscribe(mailbox);
        }
    }

    /// <summary>One event; the data is single-line JSON, so one <c>data:</c> line carries it.</summary>
    private static async Task WriteEventAsync(HttpResponse response, string name, string json, CancellationToken cancellation)
    {
        var text = $"event: {name}\ndata: {json}\n\n";
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellation).ConfigureAwait(false);
    }
}
