using System.Globalization;

namespace Concentrator.Testing;

/// <summary>
/// The one way the property and model tests run their random schedules: consecutive seeds from a random start, printed
/// first; PREFIX_SEED=N replays one, PREFIX_SCHEDULES=N runs more (a soak); a failure names its seed and how to replay it.
/// </summary>
public static class SeededSchedules
{
    /// <param name="prefix">The environment variables' prefix, e.g. CONCENTRATOR_DATAPLANE.</param>
    /// <param name="defaultCount">How many schedules a normal run takes.</param>
    /// <param name="print">Where the seeds are printed (the test's output).</param>
    /// <param name="schedule">One schedule, from its seed; throws when an invariant breaks.</param>
    public static void Run(string prefix, int defaultCount, Action<string> print, Action<int> schedule)
    {
        ArgumentNullException.ThrowIfNull(print);
        ArgumentNullException.ThrowIfNull(schedule);
        var only = Environment.GetEnvironmentVariable(prefix + "_SEED");
        var count = only is not null ? 1
            : int.TryParse(Environment.GetEnvironmentVariable(prefix + "_SCHEDULES"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : defaultCount;
        var first = only is not null ? int.Parse(only, CultureInfo.InvariantCulture) : Random.Shared.Next(0, int.MaxValue - count);
        print($"schedules {first}..{first + count - 1} (replay one with {prefix}_SEED=N)");
        for (var seed = first; seed < first + count; seed++)
        {
            try
            {
                schedule(seed);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"schedule with seed {seed} failed (replay: {prefix}_SEED={seed}): {e.Message}", e);
            }
        }
    }
}
