using System.Globalization;
using System.Text.RegularExpressions;

namespace Concentrator.Api.Leases;

/// <summary>Durations as people write them: 10m, 1h30m, 90s, 250ms, 2d (units d, h, m, s, ms, in any combination).</summary>
public static partial class LeaseDuration
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var matches = Part().Matches(text.Trim());
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)) != text.Trim())
        {
            return false;
        }

        foreach (Match m in matches)
        {
            var n = double.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
            duration += m.Groups["u"].Value switch
            {
                "d" => TimeSpan.FromDays(n),
                "h" => TimeSpan.FromHours(n),
                "m" => TimeSpan.FromMinutes(n),
                "s" => TimeSpan.FromSeconds(n),
                _ => TimeSpan.FromMilliseconds(n),
            };
        }

        return true;
    }

    [GeneratedRegex(@"(?<n>\d+(\.\d+)?)(?<u>ms|d|h|m|s)")]
    private static partial Regex Part();
}
