using System.Text;
using System.Text.RegularExpressions;

namespace Concentrator.Ports.Automation;

/// <summary>
/// Waits for the first of some patterns in a port's output from an offset on: reads the <see cref="OutputCapture"/>
/// (never the device reader's thread) into a window bounded by the capture's size, and matches what is new, with some
/// of what came before so a match split across arrivals is found.
/// </summary>
public static class Expect
{
    /// <summary>How far back a new scan starts before what it has not seen: a match at most this long is never split.</summary>
    private const int Overlap = 64 * 1024;

    /// <summary>The transcript kept while waiting: the oldest bytes go past this.</summary>
    private const int MaxWindow = 4 * 1024 * 1024;

    public static async Task<ExpectResult> RunAsync(OutputCapture capture, long from, IReadOnlyList<Regex> patterns, TimeSpan timeout,
        CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(capture);
        ArgumentNullException.ThrowIfNull(patterns);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(timeout);
        var limit = Math.Min(MaxWindow, capture.Capacity);
        var window = new byte[limit];
        var windowFrom = Math.Max(from, capture.Start); // the offset of window[0]
        var length = 0;
        var scanned = 0; // window bytes already matched against
        var chunk = new byte[Math.Min(64 * 1024, limit)];
        var next = windowFrom;
        while (true)
        {
            var (at, count) = capture.Read(next, chunk);
            if (at > next)
            {
                // The capture lapped this wait: what is between is gone; start the window again where the capture is.
                windowFrom = at;
                length = scanned = 0;
            }

            if (count > 0)
            {
                if (length + count > limit)
                {
                    var drop = length + count - limit;
                    Buffer.BlockCopy(window, drop, window, 0, length - drop);
                    length -= drop;
                    scanned = Math.Max(0, scanned - drop);
                    windowFrom += drop;
                }

                Buffer.BlockCopy(chunk, 0, window, length, count);
                length += count;
                next = at + count;
                if (Scan(window, length, Math.Max(0, scanned - Overlap), patterns) is { } found)
                {
                    var (index, match) = found;
                    return new ExpectResult(true, index, Text(window, match.Index, match.Length),
                        [.. match.Groups.Cast<Group>().Skip(1).Select(g => g.Success ? Text(window, g.Index, g.Length) : null)],
                        windowFrom + match.Index, windowFrom + match.Index + match.Length, windowFrom,
                        Text(window, 0, match.Index + match.Length));
                }

                scanned = length;
                continue;
            }

            try
            {
                await capture.WaitBeyondAsync(next, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                return new ExpectResult(false, -1, null, [], -1, -1, windowFrom, Text(window, 0, length));
            }
        }
    }

    /// <summary>The earliest match of any pattern (ties: the first pattern), scanning from <paramref name="startAt"/>.</summary>
    private static (int Index, Match Match)? Scan(byte[] window, int length, int startAt, IReadOnlyList<Regex> patterns)
    {
        var text = Encoding.Latin1.GetString(window, 0, length);
        (int, Match)? best = null;
        for (var i = 0; i < patterns.Count; i++)
        {
            var match = patterns[i].Match(text, startAt);
            if (match.Success && (best is null || match.Index < best.Value.Item2.Index))
            {
                best = (i, match);
            }
        }

        return best;
    }

    /// <summary>Output as text for people and JSON: UTF-8, what does not decode shown as U+FFFD.</summary>
    public static string Text(byte[] bytes, int index, int count) => Encoding.UTF8.GetString(bytes, index, count);
}
