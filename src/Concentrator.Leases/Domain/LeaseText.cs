using System.Globalization;

namespace Concentrator.Leases.Domain;

/// <summary>Durations and lists as the answers print them (7d, 10m, 1h30m, 250ms).</summary>
internal static class LeaseText
{
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            return "-" + Duration(-span);
        }

        if (span < TimeSpan.FromSeconds(1))
        {
            return span.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms";
        }

        var parts = new List<string>();
        if (span.Days > 0)
        {
            parts.Add(span.Days.ToString(CultureInfo.InvariantCulture) + "d");
        }

        if (span.Hours > 0)
        {
            parts.Add(span.Hours.ToString(CultureInfo.InvariantCulture) + "h");
        }

        if (span.Minutes > 0)
        {
            parts.Add(span.Minutes.ToString(CultureInfo.InvariantCulture) + "m");
        }

        if (span.Seconds > 0 || span.Milliseconds > 0)
        {
            parts.Add((span.Seconds + span.Milliseconds / 1000.0).ToString("0.###", CultureInfo.InvariantCulture) + "s");
        }

        return string.Concat(parts);
    }

    public static string List(IEnumerable<string> items) => string.Join(", ", items);
}
