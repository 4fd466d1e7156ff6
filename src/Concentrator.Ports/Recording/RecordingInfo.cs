using System.Globalization;
using System.Text.Json;

namespace Concentrator.Ports.Recording;

/// <summary>Someone who was in a recording: who, from where, by which session, since when.</summary>
public sealed record RecordingParticipant(string Principal, string Source, int Session, DateTimeOffset Joined);

/// <summary>
/// One recording as listed: its id (the file's name without <c>.cast</c>), port, time span, size, and who was in it
/// (kept beside the file in <c>ID.json</c>, rewritten when someone joins and when it closes).
/// </summary>
public sealed record RecordingInfo(string Id, string Port, DateTimeOffset Started, DateTimeOffset? Ended, long Size,
    IReadOnlyList<RecordingParticipant> Participants, long DroppedEvents)
{
    /// <summary>Still being written by this daemon (a file a crash left open has no end and is not active).</summary>
    public bool Active { get; init; }

    public void WriteJson(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("id", Id);
        json.WriteString("port", Port);
        json.WriteString("started", Started);
        if (Ended is { } ended)
        {
            json.WriteString("ended", ended);
        }
        else
        {
            json.WriteNull("ended");
        }

        json.WriteBoolean("active", Active);
        json.WriteNumber("size", Size);
        json.WriteNumber("dropped-events", DroppedEvents);
        json.WriteStartArray("participants");
        foreach (var p in Participants)
        {
            json.WriteStartObject();
            json.WriteString("principal", p.Principal);
            json.WriteString("source", p.Source);
            json.WriteNumber("session", p.Session);
            json.WriteString("joined", p.Joined);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Reads what <see cref="WriteJson"/> wrote (the size is the file's, not the stored one).</summary>
    internal static RecordingInfo? Read(string id, string metaPath, long size)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(metaPath));
            var root = doc.RootElement;
            var participants = root.GetProperty("participants").EnumerateArray().Select(p => new RecordingParticipant(
                p.GetProperty("principal").GetString() ?? "", p.GetProperty("source").GetString() ?? "",
                p.GetProperty("session").GetInt32(), p.GetProperty("joined").GetDateTimeOffset())).ToList();
            var ended = root.GetProperty("ended");
            return new RecordingInfo(id, root.GetProperty("port").GetString() ?? "", root.GetProperty("started").GetDateTimeOffset(),
                ended.ValueKind == JsonValueKind.Null ? null : ended.GetDateTimeOffset(), size, participants,
                root.TryGetProperty("dropped-events", out var d) ? d.GetInt64() : 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            return null; // unreadable or half written: the caller falls back to the file's header
        }
    }

    internal static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture);
}
