using System.Text;
using System.Text.Json;

namespace Concentrator.Client.Recording;

/// <summary>
/// Plays an asciicast v2 recording (<c>concentrator play FILE</c>): each output event's text is written when its time
/// comes, divided by the speed; input events and markers are not output (a console echoes what was typed itself). A
/// pause longer than <see cref="MaxPause"/> (at the chosen speed) is cut to it, as asciinema's idle limit does, so a
/// night of silence does not hold the replay.
/// </summary>
public sealed class CastPlayer(double speed, Func<TimeSpan, CancellationToken, Task>? delay = null)
{
    public static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(5);

    private readonly Func<TimeSpan, CancellationToken, Task> _delay = delay ?? Task.Delay;

    /// <summary>Plays <paramref name="cast"/> to <paramref name="output"/>; a line that is not an event is a <see cref="FormatException"/> naming it.</summary>
    public async Task PlayAsync(TextReader cast, Stream output, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(cast);
        ArgumentNullException.ThrowIfNull(output);
        if (speed <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(speed), "the speed must be above 0");
        }

        var header = await cast.ReadLineAsync(cancel).ConfigureAwait(false) ?? throw new FormatException("the file is empty");
        CheckHeader(header);
        var previous = 0.0;
        var number = 1;
        while (await cast.ReadLineAsync(cancel).ConfigureAwait(false) is { } line)
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            var (time, code, data) = Event(line, number);
            if (code != "o")
            {
                continue;
            }

            var wait = TimeSpan.FromSeconds(Math.Max(0, time - previous) / speed);
            previous = time;
            if (wait > TimeSpan.Zero)
            {
                await output.FlushAsync(cancel).ConfigureAwait(false);
                await _delay(wait < MaxPause ? wait : MaxPause, cancel).ConfigureAwait(false);
            }

            await output.WriteAsync(Encoding.UTF8.GetBytes(data), cancel).ConfigureAwait(false);
        }

        await output.FlushAsync(cancel).ConfigureAwait(false);
    }

    private static void CheckHeader(string header)
    {
        try
        {
            using var doc = JsonDocument.Parse(header);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("version", out var version) ||
                version.ValueKind != JsonValueKind.Number || version.GetInt32() != 2)
            {
                throw new FormatException("line 1: not an asciicast v2 header (expected {\"version\": 2, ...})");
            }
        }
        catch (JsonException e)
        {
            throw new FormatException($"line 1: not an asciicast v2 header: {e.Message}", e);
        }
    }

    private static (double Time, string Code, string Data) Event(string line, int number)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var e = doc.RootElement;
            if (e.ValueKind == JsonValueKind.Array && e.GetArrayLength() >= 3 && e[0].ValueKind == JsonValueKind.Number &&
                e[1].ValueKind == JsonValueKind.String && e[2].ValueKind == JsonValueKind.String)
            {
                return (e[0].GetDouble(), e[1].GetString()!, e[2].GetString()!);
            }
        }
        catch (JsonException)
        {
        }

        throw new FormatException($"line {number}: not an asciicast event [time, code, data]");
    }
}
