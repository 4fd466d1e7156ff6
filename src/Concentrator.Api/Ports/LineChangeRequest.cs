using System.Text.Json.Serialization;
using Concentrator.Devices;
using Concentrator.Ports.Port;

namespace Concentrator.Api.Ports;

/// <summary>
/// PUT /api/ports/{name}/line: any subset of <c>{"baud":9600,"dataBits":8,"parity":"even","stopBits":"1","flowControl":"none"}</c>;
/// what is left out stays as it is. Words as in the config.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)] // a misspelt field is an error, not a silent no-op
public sealed record LineChangeRequest(int? Baud = null, int? DataBits = null, string? Parity = null, string? StopBits = null, string? FlowControl = null)
{
    /// <summary>The same range the config accepts.</summary>
    public const int MaxBaud = 100_000_000;

    /// <summary>The change, or every field at fault with what it should be (field name -> problems).</summary>
    public (ChangeLine? Change, Dictionary<string, string[]> Errors) Validate()
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (Baud is < 1 or > MaxBaud)
        {
            errors["baud"] = [$"baud = {Baud}: expected a whole number from 1 to {MaxBaud}"];
        }

        if (DataBits is < 5 or > 8)
        {
            errors["dataBits"] = [$"dataBits = {DataBits}: expected 5, 6, 7 or 8"];
        }

        var parity = Word(Parity, LineWords.Parities, "parity", errors);
        var stopBits = Word(StopBits, LineWords.StopBits, "stopBits", errors);
        var flow = Word(FlowControl, LineWords.FlowControls, "flowControl", errors);
        return errors.Count > 0 ? (null, errors) : (new ChangeLine(Baud, DataBits, parity, stopBits, flow), errors);
    }

    private static T? Word<T>(string? text, IReadOnlyList<(string Word, T Value)> choices, string field, Dictionary<string, string[]> errors)
        where T : struct
    {
        if (text is null)
        {
            return null;
        }

        var value = LineWords.Parse(choices, text);
        if (value is null)
        {
            errors[field] = [$"{field} = \"{text}\": expected {LineWords.Choices(choices)}"];
        }

        return value;
    }
}

/// <summary>POST /api/ports/{name}/break: optional <c>{"durationMs":250}</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record BreakRequest(int? DurationMs = null)
{
    public const int DefaultMs = 250;
    public const int MaxMs = 10_000;
}

/// <summary>POST /api/ports/{name}/write-lock: <c>{"session":"lab:3"}</c> (or just the number on this port) gets the write lock.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record WriteLockGrant(string? Session = null);
