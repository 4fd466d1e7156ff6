using System.Buffers;
using System.Security.Claims;
using System.Text.Json;
using Concentrator.Api.Auth;
using Concentrator.Ports.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Concentrator.Api.Recordings;

/// <summary>
/// <c>GET /api/ports/{name}/recordings</c>, <c>GET /api/recordings/{id}</c> (the .cast) and <c>GET /api/audit</c> (the
/// audit trail's last lines). What people typed and saw is not for every reader: each needs the audit right (an
/// audit or admin token), and each read is itself in the audit trail.
/// </summary>
public static class RecordingEndpoints
{
    private const int DefaultAuditLines = 1000;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/ports/{name}/recordings", List).RequireAuthorization(ApiPolicies.Audit).WithTags("Recordings")
            .WithSummary("The port's recordings, newest first, with who was in each");
        app.MapGet("/api/recordings/{id}", Download).RequireAuthorization(ApiPolicies.Audit).WithTags("Recordings")
            .WithSummary("One recording: the asciicast v2 file (asciinema cat / play it)");
        app.MapGet("/api/audit", Tail).RequireAuthorization(ApiPolicies.Audit).WithTags("Recordings")
            .WithSummary("The audit trail's last lines (?lines=N, at most 100000), as JSON lines");
    }

    private static IResult List(string name, ClaimsPrincipal user, DaemonSecurity security)
    {
        if (security.Recordings is not { } store)
        {
            return ApiProblems.Unavailable("recordings are not kept by this daemon");
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("port", name);
            json.WriteStartArray("recordings");
            foreach (var recording in store.List(name))
            {
                recording.WriteJson(json);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        security.Audit.Record("recordings-list", ApiPolicies.Who(user), null, name, "ok");
        return Results.Bytes(buffer.WrittenMemory.ToArray(), "application/json");
    }

    private static IResult Download(string id, ClaimsPrincipal user, DaemonSecurity security)
    {
        if (security.Recordings?.Find(id) is not { } path)
        {
            security.Audit.Record("recording-read", ApiPolicies.Who(user), null, null, "not-found", ("recording", id.Length > 100 ? id[..100] : id));
            return Results.Problem($"no recording '{(id.Length > 100 ? id[..100] : id)}'", statusCode: StatusCodes.Status404NotFound, title: "No such recording");
        }

        security.Audit.Record("recording-read", ApiPolicies.Who(user), null, security.Recordings.Describe(id)?.Port, "ok", ("recording", id));
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return Results.Stream(stream, "application/x-asciicast", id + ".cast");
    }

    private static IResult Tail(ClaimsPrincipal user, DaemonSecurity security, int? lines)
    {
        if (security.Audit.File is not { } file || !File.Exists(file))
        {
            return Results.Text("", "application/x-ndjson");
        }

        var count = Math.Clamp(lines ?? DefaultAuditLines, 1, 100_000);
        var tail = new Queue<string>(count);
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var reader = new StreamReader(stream))
        {
            while (reader.ReadLine() is { } line)
            {
                if (tail.Count == count)
                {
                    tail.Dequeue();
                }

                tail.Enqueue(line);
            }
        }

        security.Audit.Record("audit-read", ApiPolicies.Who(user), null, null, "ok");
        return Results.Text(string.Join('\n', tail) + (tail.Count > 0 ? "\n" : ""), "application/x-ndjson");
    }
}
