using System.Buffers;
using System.Text;

namespace Concentrator.Ports.ConsoleLog;

/// <summary>
/// Formats console output for the log: optionally stamps the start of each line with the time the bytes
/// arrived, and frames the daemon's own marks (session connects, role changes) as lines of their own.
/// Keeps whether the log is mid-line across chunks.
/// </summary>
internal sealed class LineStamper(bool timestamps)
{
    private bool _atLineStart = true;

    public static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public void Device(ReadOnlySpan<byte> data, DateTimeOffset time, IBufferWriter<byte> output)
    {
        if (!timestamps)
        {
            output.Write(data);
            if (!data.IsEmpty)
            {
                _atLineStart = data[^1] == (byte)'\n';
            }

            return;
        }

        var prefix = Encoding.ASCII.GetBytes(Stamp(time) + " ");
        while (!data.IsEmpty)
        {
            if (_atLineStart)
            {
                output.Write(prefix);
                _atLineStart = false;
            }

            var newline = data.IndexOf((byte)'\n');
            var take = newline < 0 ? data.Length : newline + 1;
            output.Write(data[..take]);
            data = data[take..];
            _atLineStart = newline >= 0;
        }
    }

    /// <summary>A line of the daemon's own, e.g. "[concentrator 2026-...: session 3 connected]".</summary>
    public void Mark(string text, DateTimeOffset time, IBufferWriter<byte> output)
    {
        var line = (_atLineStart ? "" : "\n") + $"[concentrator {Stamp(time)}: {text}]\n";
        output.Write(Encoding.UTF8.GetBytes(line));
        _atLineStart = true;
    }
}
