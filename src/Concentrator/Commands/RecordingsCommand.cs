using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Concentrator.Management;

namespace Concentrator.Commands;

/// <summary><c>concentrator recordings NAME [--json]</c>: a port's recordings, newest first, with who was in each (needs the audit right).</summary>
public static class RecordingsCommand
{
    public static Command Create()
    {
        var api = new ApiOptions();
        var port = new Argument<string>("NAME") { Description = "The port's name (see concentrator ports)" };
        var command = new Command("recordings",
            "List a port's recordings: id (for GET /api/recordings/ID and concentrator play), start, length, size, who was in it") { port };
        api.AddTo(command);
        command.SetAction((parse, _) => RunAsync(api, parse, parse.GetRequiredValue(port)));
        return command;
    }

    private static async Task<int> RunAsync(ApiOptions api, ParseResult parse, string port)
    {
        using var client = api.Client(parse);
        var answer = await client.GetAsync($"/api/ports/{Uri.EscapeDataString(port)}/recordings", RecordingsJson.Default.JsonObject)
            .ConfigureAwait(false);
        if (!answer.Ok)
        {
            Console.Error.WriteLine($"concentrator: recordings: {answer.Error}");
            return answer.ExitCode;
        }

        Console.Out.Write(parse.GetValue(api.Json) ? answer.Json + Environment.NewLine : Table(port, answer.Value!));
        return ExitCodes.Ok;
    }

    private static string Table(string port, JsonObject reply)
    {
        var recordings = reply["recordings"]?.AsArray() ?? [];
        if (recordings.Count == 0)
        {
            return $"no recordings of port {port}\n";
        }

        var rows = new List<string[]> { new[] { "ID", "STARTED", "LENGTH", "SIZE", "WHO" } };
        foreach (var r in recordings.OfType<JsonObject>())
        {
            var started = DateTimeOffset.Parse(r["started"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            var ended = r["ended"] is JsonValue e ? DateTimeOffset.Parse(e.GetValue<string>(), CultureInfo.InvariantCulture) : (DateTimeOffset?)null;
            var who = (r["participants"]?.AsArray() ?? []).Select(p => p?["principal"]?.GetValue<string>()).Distinct();
            rows.Add([
                r["id"]!.GetValue<string>(),
                started.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                r["active"]?.GetValue<bool>() == true ? "recording" : ended is { } end ? Length(end - started) : "?",
                Size(r["size"]!.GetValue<long>()),
                string.Join(", ", who),
            ]);
        }

        var widths = Enumerable.Range(0, 5).Select(i => rows.Max(row => row[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.AppendJoin("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).Append('\n');
        }

        return text.ToString();
    }

    private static string Length(TimeSpan t) => t.TotalHours >= 1
        ? $"{(int)t.TotalHours}h{t.Minutes:00}m"
        : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes}m{t.Seconds:00}s" : $"{t.TotalSeconds:0}s";

    private static string Size(long bytes) => bytes >= 1 << 20
        ? $"{bytes / (double)(1 << 20):0.0} MiB"
        : bytes >= 1 << 10 ? $"{bytes / 1024.0:0.0} KiB" : $"{bytes} B";
}

/// <summary>The recordings list as it comes (the CLI prints a few of its fields).</summary>
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class RecordingsJson : JsonSerializerContext;
