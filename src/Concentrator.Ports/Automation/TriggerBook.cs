using System.Text;

namespace Concentrator.Ports.Automation;

/// <summary>What a trigger did on some output: raised (its actions run), cleared, or matched but held back by its rate limit.</summary>
public enum TriggerEvent { Raised, Cleared, Suppressed }

/// <summary>One decision of a <see cref="TriggerBook"/>: which trigger, what happened, the text and its byte offsets.</summary>
public sealed record TriggerDecision(string Trigger, TriggerEvent Event, string Match, long Start, long End, DateTimeOffset Time);

/// <summary>
/// A port's triggers as a pure state machine: fed the output in order (bytes and their offset), it answers what each
/// trigger does, and keeps which are raised and the recent firings its rate limits count. No I/O, no clock of its own,
/// no threads: the watcher around it feeds it off the reader thread and the port acts on its decisions.
/// </summary>
/// <remarks>
/// A match may straddle two feeds if it is at most <see cref="Overlap"/> bytes long: each feed is matched with that much
/// of the output before it. A trigger never matches the same bytes twice (it resumes after its last match).
/// </remarks>
public sealed class TriggerBook
{
    public const int Overlap = 1024;

    private readonly Rule[] _rules;
    private byte[] _tail = []; // the last bytes fed, up to Overlap
    private long _next; // the offset the next feed should start at

    public TriggerBook(IReadOnlyList<TriggerSettings> triggers)
    {
        ArgumentNullException.ThrowIfNull(triggers);
        _rules = [.. triggers.Select(t => new Rule(t, Compile(t.Match), t.Clear is null ? null : Compile(t.Clear)))];
    }

    public IReadOnlyList<TriggerSettings> Settings => [.. _rules.Select(r => r.Settings)];

    /// <summary>The triggers raised now: those with a clear pattern that matched and were not cleared since.</summary>
    public IReadOnlyList<string> Raised => [.. _rules.Where(r => r.Raised).Select(r => r.Settings.Name)];

    /// <summary>
    /// The output from <paramref name="offset"/> on. An offset past where the last feed ended means bytes were lost (the
    /// watcher fell behind the capture): matching starts again there, with no overlap.
    /// </summary>
    public IReadOnlyList<TriggerDecision> Feed(ReadOnlySpan<byte> output, long offset, DateTimeOffset now)
    {
        if (offset != _next)
        {
            _tail = [];
        }

        var windowFrom = offset - _tail.Length;
        var window = new byte[_tail.Length + output.Length];
        _tail.CopyTo(window, 0);
        output.CopyTo(window.AsSpan(_tail.Length));
        var text = Encoding.Latin1.GetString(window);
        var decisions = new List<TriggerDecision>();
        foreach (var rule in _rules)
        {
            var at = (int)Math.Max(0, rule.NextFrom - windowFrom);
            while (at <= text.Length)
            {
                var clearing = rule.Raised && rule.Clear is not null;
                var match = (clearing ? rule.Clear! : rule.Match).Match(text, at);
                if (!match.Success)
                {
                    break;
                }

                at = match.Index + Math.Max(1, match.Length);
                rule.NextFrom = windowFrom + at;
                var matched = Encoding.UTF8.GetString(window, match.Index, match.Length);
                var (start, end) = (windowFrom + match.Index, windowFrom + match.Index + match.Length);
                if (clearing)
                {
                    rule.Raised = false;
                    decisions.Add(new TriggerDecision(rule.Settings.Name, TriggerEvent.Cleared, matched, start, end, now));
                }
                else if (rule.Allows(now))
                {
                    rule.Raised = rule.Clear is not null; // without a clear pattern each match is an event, not a state
                    decisions.Add(new TriggerDecision(rule.Settings.Name, TriggerEvent.Raised, matched, start, end, now));
                }
                else
                {
                    decisions.Add(new TriggerDecision(rule.Settings.Name, TriggerEvent.Suppressed, matched, start, end, now));
                }
            }
        }

        _next = offset + output.Length;
        _tail = window.Length <= Overlap ? window : window[^Overlap..];
        return decisions;
    }

    private static PrefixedRegex Compile(string pattern) =>
        new(ExpectPatterns.Compile(pattern).Regex ?? throw new ArgumentException($"trigger pattern \"{pattern}\" was not checked", nameof(pattern)),
            ExpectPatterns.LiteralPrefix(pattern));

    private sealed class Rule(TriggerSettings settings, PrefixedRegex match, PrefixedRegex? clear)
    {
        private readonly Queue<DateTimeOffset> _fired = new();

        public TriggerSettings Settings { get; } = settings;

        public PrefixedRegex Match { get; } = match;

        public PrefixedRegex? Clear { get; } = clear;

        public bool Raised { get; set; }

        public long NextFrom { get; set; }

        /// <summary>Whether the rate limit lets it fire now; if so the firing is counted.</summary>
        public bool Allows(DateTimeOffset now)
        {
            if (!Settings.RateLimited)
            {
                return true;
            }

            while (_fired.Count > 0 && now - _fired.Peek() >= Settings.AtMostPer)
            {
                _fired.Dequeue();
            }

            if (_fired.Count >= Settings.AtMostCount)
            {
                return false;
            }

            _fired.Enqueue(now);
            return true;
        }
    }
}
