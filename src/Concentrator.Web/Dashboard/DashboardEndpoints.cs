using System.Text.Json;
using System.Text;
using Concentrator.Ports.Management;
using Concentrator.Ports.Port;
using Concentrator.Ports.Power;
using Concentrator.Web.Access;
using Concentrator.Web.Assets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Concentrator.Web.Dashboard;

/// <summary>
/// The dashboard page, its actions and the log download. Actions are POSTs that need the <see cref="DashboardRights.Operate"/>
/// right and a same-origin request (<see cref="SameOrigin.AllowsChange"/>); each names the caller in the port's log.
/// </summary>
internal static class DashboardEndpoints
{
    private const int MaxBodyBytes = 4096;
    private static readonly TimeSpan BreakLength = TimeSpan.FromMilliseconds(250);

    /// <summary><c>GET /</c>: the dashboard page (its data comes from <c>/api/events</c>).</summary>
    public static async Task PageAsync(HttpContext context)
    {
        if (await AuthorizeAsync(context, DashboardRights.View).ConfigureAwait(false) is null)
        {
            return;
        }

        await context.RequestServices.GetRequiredService<EmbeddedAssets>().ServeAsync(context, "index.html").ConfigureAwait(false);
    }

    /// <summary><c>POST /ui/ports/{name}/break</c>: a 250 ms break on the port's device.</summary>
    public static async Task BreakAsync(HttpContext context)
    {
        if (await AuthorizeChangeAsync(context).ConfigureAwait(false) is not { } access)
        {
            return;
        }

        var port = RouteValue(context, "name");
        var answer = await Gateway(context).AskAsync(new SendBreakTo(port, BreakLength, By(access)), context.RequestAborted).ConfigureAwait(false);
        await (answer switch
        {
            Done done => Ok(context, done.What),
            PortOffline offline => Problems.Write(context, StatusCodes.Status409Conflict, "the port is not online",
                $"port '{port}' is {PortJson.StateWord(offline.State)}"),
            ActionRefused refused => Problems.Write(context, StatusCodes.Status403Forbidden, "refused", refused.Reason),
            null => Problems.NoAnswer(context),
            _ => Problems.PortNotFound(context, port),
        }).ConfigureAwait(false);
    }

    /// <summary><c>POST /ui/ports/{name}/line</c> with <c>{"baud":9600}</c>: changes the port's baud rate.</summary>
    public static async Task LineAsync(HttpContext context)
    {
        if (await AuthorizeChangeAsync(context).ConfigureAwait(false) is not { } access)
        {
            return;
        }

        var port = RouteValue(context, "name");
        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        LineChangeJson? change = null;
        try
        {
            change = body is null ? null : JsonSerializer.Deserialize(body, DashboardJsonContext.Default.LineChangeJson);
        }
        catch (JsonException)
        {
            // answered below
        }

        if (change?.Baud is not (>= 50 and <= 20_000_000) || body is null)
        {
            await Problems.Write(context, StatusCodes.Status400BadRequest, "bad line change",
                "expected a JSON body like {\"baud\":9600} with a baud rate from 50 to 20000000").ConfigureAwait(false);
            return;
        }

        var answer = await Gateway(context).AskAsync(new SetLine(port, new ChangeLine(BaudRate: change.Baud), By(access)),
            context.RequestAborted).ConfigureAwait(false);
        await (answer switch
        {
            PortLineState state => Ok(context, $"port {port}: {state.Line}"),
            LineChanged changed => Ok(context, $"port {port}: {changed.State.Line}"),
            ActionRefused refused => Problems.Write(context, StatusCodes.Status403Forbidden, "refused", refused.Reason),
            null => Problems.NoAnswer(context),
            _ => Problems.PortNotFound(context, port),
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>POST /ui/ports/{name}/power</c> with <c>{"action":"cycle"}</c>: the port's power control, checked by the port
    /// like the API's (its ACL, the lease holder while leased); answers when the command has ended.
    /// </summary>
    public static async Task PowerAsync(HttpContext context)
    {
        if (await AuthorizeChangeAsync(context).ConfigureAwait(false) is not { } access)
        {
            return;
        }

        var port = RouteValue(context, "name");
        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        PowerJson? request = null;
        try
        {
            request = body is null ? null : JsonSerializer.Deserialize(body, DashboardJsonContext.Default.PowerJson);
        }
        catch (JsonException)
        {
            // answered below
        }

        if (!PowerActions.TryParse(request?.Action, out var action))
        {
            await Problems.Write(context, StatusCodes.Status400BadRequest, "bad power action",
                "expected a JSON body like {\"action\":\"cycle\"}: on, off, cycle or status").ConfigureAwait(false);
            return;
        }

        var answer = await Gateway(context).AskAsync(new SwitchPower(port, action, By(access)), context.RequestAborted,
            TimeSpan.FromMinutes(2)).ConfigureAwait(false);
        await (answer switch
        {
            PowerSwitched done when done.Ok => Ok(context,
                $"power {PowerActions.Word(action)} on {port}: ok {done.Output.Trim()}".TrimEnd()),
            PowerSwitched failed => Problems.Write(context, StatusCodes.Status502BadGateway, "the power command failed",
                failed.Output.Trim()),
            PowerNotConfigured => Problems.Write(context, StatusCodes.Status409Conflict, "no power control",
                $"port '{port}' has no power control for '{PowerActions.Word(action)}'"),
            ActionRefused refused => Problems.Write(context, StatusCodes.Status403Forbidden, "refused", refused.Reason),
            null => Problems.NoAnswer(context),
            _ => Problems.PortNotFound(context, port),
        }).ConfigureAwait(false);
    }

    /// <summary><c>POST /ui/sessions/{id}/kick</c>: closes a session ("port:number") with a notice naming the caller.</summary>
    public static async Task KickAsync(HttpContext context)
    {
        if (await AuthorizeChangeAsync(context).ConfigureAwait(false) is not { } access)
        {
            return;
        }

        var id = RouteValue(context, "id");
        if (!SessionSnapshot.TryParseId(id, out var port, out var number))
        {
            await Problems.Write(context, StatusCodes.Status400BadRequest, "bad session id", "a session id is PORT:NUMBER, e.g. demo:3").ConfigureAwait(false);
            return;
        }

        var answer = await Gateway(context).AskAsync(new KickSession(port, number, By(access)), context.RequestAborted).ConfigureAwait(false);
        await (answer switch
        {
            Done done => Ok(context, done.What),
            SessionNotFound => Problems.Write(context, StatusCodes.Status404NotFound, "no such session", $"there is no session {id}"),
            ActionRefused refused => Problems.Write(context, StatusCodes.Status403Forbidden, "refused", refused.Reason),
            null => Problems.NoAnswer(context),
            _ => Problems.PortNotFound(context, port),
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>GET /api/ports/{name}/scrollback</c>: the last bytes the device printed (the port's <c>scrollback</c>), as a
    /// text download named PORT-scrollback.txt; <c>?inline=1</c> shows it in the browser instead.
    /// </summary>
    public static async Task ScrollbackAsync(HttpContext context)
    {
        if (await AuthorizeAsync(context, DashboardRights.View).ConfigureAwait(false) is not { } access)
        {
            return;
        }

        var port = RouteValue(context, "name");
        var answer = await Gateway(context).AskAsync(new GetScrollback(port, access.Identity(context.Connection.RemoteIpAddress)),
            context.RequestAborted).ConfigureAwait(false);
        if (answer is null)
        {
            await Problems.NoAnswer(context).ConfigureAwait(false);
            return;
        }

        if (answer is ScrollbackRefused refused)
        {
            await Problems.Write(context, StatusCodes.Status403Forbidden, "Forbidden", refused.Reason).ConfigureAwait(false);
            return;
        }

        if (answer is not ScrollbackData data)
        {
            await Problems.PortNotFound(context, port).ConfigureAwait(false);
            return;
        }

        var response = context.Response;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "no-store";
        var disposition = context.Request.Query["inline"] == "1" ? "inline" : "attachment";
        response.Headers.ContentDisposition = $"{disposition}; filename=\"{SafeFileName(port)}-scrollback.txt\"";
        response.ContentLength = data.Data.Length;
        await response.Body.WriteAsync(data.Data, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The caller's access when it has <paramref name="rights"/>; otherwise answers 403 and returns null.</summary>
    public static async Task<DashboardAccess?> AuthorizeAsync(HttpContext context, DashboardRights rights)
    {
        var access = await context.RequestServices.GetRequiredService<IDashboardAuthorizer>().AuthorizeAsync(context).ConfigureAwait(false);
        if (access.Can(rights))
        {
            return access;
        }

        await Problems.Forbidden(context, rights == DashboardRights.View ? "you may not view the dashboard" : "you may not do this").ConfigureAwait(false);
        return null;
    }

    /// <summary>A state change: same-origin first (a cross-site request learns nothing), then the Operate right.</summary>
    private static async Task<DashboardAccess?> AuthorizeChangeAsync(HttpContext context)
    {
        if (!SameOrigin.AllowsChange(context.Request))
        {
            await Problems.Forbidden(context, "cross-origin request refused: actions must come from the dashboard's own pages").ConfigureAwait(false);
            return null;
        }

        return await AuthorizeAsync(context, DashboardRights.Operate).ConfigureAwait(false);
    }

    /// <summary>Only operators reach the dashboard's actions (an admin token, or a loopback caller allowed to act): every port is theirs.</summary>
    private static Requester By(DashboardAccess access) => Requester.Admin($"{access.Principal} (dashboard)");

    private static PortsGateway Gateway(HttpContext context) => context.RequestServices.GetRequiredService<PortsGateway>();

    public static string RouteValue(HttpContext context, string name) => context.Request.RouteValues[name] as string ?? "";

    private static Task Ok(HttpContext context, string result) =>
        context.Response.WriteAsJsonAsync(new ActionResultJson(result), DashboardJsonContext.Default.ActionResultJson);

    /// <summary>The body when it is small enough to be an action's, else null.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static string SafeFileName(string port)
    {
        var name = new StringBuilder(port.Length);
        foreach (var c in port)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        return name.ToString();
    }
}
