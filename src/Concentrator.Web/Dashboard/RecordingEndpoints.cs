using System.Buffers;
using System.Text.Json;
using Concentrator.Ports.Security;
using Concentrator.Web.Access;
using Concentrator.Web.Assets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Concentrator.Web.Dashboard;

/// <summary>
/// The dashboard's recordings: <c>GET /ports/{name}/recordings</c> (the page: the list, who was in each, the player
/// with a timeline of who typed), <c>GET /ports/{name}/recordings.json</c> and <c>GET /recordings/{id}.cast</c>. All
/// need <see cref="DashboardRights.Audit"/>, as the API's need its audit right; each read is in the audit trail.
/// </summary>
public static class RecordingEndpoints
{
    public static async Task PageAsync(HttpContext context)
    {
        if (await DashboardEndpoints.AuthorizeAsync(context, DashboardRights.Audit).ConfigureAwait(false) is null)
        {
            return;
        }

        await context.RequestServices.GetRequiredService<EmbeddedAssets>().ServeAsync(context, "recordings.html").ConfigureAwait(false);
    }

    public static async Task ListAsync(HttpContext context)
    {
        if (await DashboardEndpoints.AuthorizeAsync(context, DashboardRights.Audit).ConfigureAwait(false) is not { } access)
        {
            return;
        }

        var port = DashboardEndpoints.RouteValue(context, "name");
        var security = context.RequestServices.GetService<DaemonSecurity>();
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("port", port);
            json.WriteStartArray("recordings");
            foreach (var recording in security?.Recordings?.List(port) ?? [])
            {
                recording.WriteJson(json);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        security?.Audit.Record("recordings-list", access.Principal, context.Connection.RemoteIpAddress, port, "ok", ("via", "dashboard"));
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    public static async Task CastAsync(HttpContext context)
    {
        if (await DashboardEndpoints.AuthorizeAsync(context, DashboardRights.Audit).ConfigureAwait(false) is not { } access)
        {
            return;
        }

        var id = DashboardEndpoints.RouteValue(context, "id");
        var security = context.RequestServices.GetService<DaemonSecurity>();
        if (security?.Recordings?.Find(id) is not { } path)
        {
            await Problems.Write(context, StatusCodes.Status404NotFound, "No such recording", "no recording with that id").ConfigureAwait(false);
            return;
        }

        security.Audit.Record("recording-read", access.Principal, context.Connection.RemoteIpAddress, security.Recordings.Describe(id)?.Port, "ok",
            ("recording", id), ("via", "dashboard"));
        context.Response.ContentType = "application/x-asciicast";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        await file.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }
}
