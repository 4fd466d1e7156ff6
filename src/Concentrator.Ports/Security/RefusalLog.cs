using System.Net;

namespace Concentrator.Ports.Security;

/// <summary>
/// Keeps refusals from flooding the log: the first refusal of a source for one kind of cause (a source filter, a
/// limit, a failed handshake, a failed login, admission) is logged, later ones within <see cref="Interval"/> are only
/// counted and the count goes with the next line logged for that source and kind. Shared by every listener and
/// session; thread-safe and bounded in what it remembers.
/// </summary>
public sealed class RefusalLog
{
    private const int MaxRemembered = 16_384;
    private readonly Lock _gate = new();
    private readonly Dictionary<(IPAddress, string), (long LoggedAt, int Suppressed)> _sources = [];
    private readonly TimeProvider _time;

    public RefusalLog(TimeSpan? interval = null, TimeProvider? time = null)
    {
        Interval = interval ?? TimeSpan.FromSeconds(10);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>At most one line per source per interval.</summary>
    public TimeSpan Interval { get; }

    /// <summary>
    /// A refusal of <paramref name="source"/> for a cause of <paramref name="kind"/> happened: true when it should be
    /// logged now (with <paramref name="suppressed"/> refusals not logged since the last line); false when it is only counted.
    /// </summary>
    public bool ShouldLog(IPAddress? source, string kind, out int suppressed)
    {
        suppressed = 0;
        if (source is null)
        {
            return true;
        }

        var key = (SourceAddress.Key(source), kind);
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (_sources.TryGetValue(key, out var seen) && _time.GetElapsedTime(seen.LoggedAt, now) < Interval)
            {
                _sources[key] = (seen.LoggedAt, seen.Suppressed + 1);
                return false;
            }

            if (_sources.Count >= MaxRemembered)
            {
                Forget(now);
            }

            suppressed = seen.Suppressed;
            _sources[key] = (now, 0);
            return true;
        }
    }

    /// <summary>The text added to a logged refusal: how many were not logged since the last line.</summary>
    public string Summary(int suppressed) =>
        suppressed > 0 ? $" ({suppressed} more from this source in the last {Interval.TotalSeconds:0} s not logged)" : "";

    private void Forget(long now)
    {
        foreach (var (key, seen) in _sources)
        {
            if (_time.GetElapsedTime(seen.LoggedAt, now) >= Interval)
            {
                _sources.Remove(key);
            }
        }

        if (_sources.Count >= MaxRemembered)
        {
            _sources.Clear(); // everyone is flooding at once: start over rather than grow
        }
    }
}
