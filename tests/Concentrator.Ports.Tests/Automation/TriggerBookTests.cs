using System.Globalization;
using System.Text;
using Concentrator.Ports.Automation;
using Xunit.Abstractions;

namespace Concentrator.Ports.Tests.Automation;

/// <summary>
/// The pure trigger state: raise and clear, rate limits on a stepped clock, and (seeded) that how the output is split
/// into feeds never changes what is decided, for matches within the overlap that do not end in an open repetition (such
/// a match is taken as far as the output has arrived, as expect does).
/// </summary>
public sealed class TriggerBookTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<TriggerDecision> Feed(TriggerBook book, ref long offset, string text, DateTimeOffset now)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var decisions = book.Feed(bytes, offset, now);
        offset += bytes.Length;
        return decisions;
    }

    [Fact]
    public void A_trigger_with_a_clear_pattern_fires_once_until_cleared()
    {
        var book = new TriggerBook([new TriggerSettings("panic", "Kernel panic", Clear: "login:")]);
        long at = 0;
        var first = Feed(book, ref at, "boot\r\nKernel panic - not syncing\r\nKernel panic again\r\n", T0);
        Assert.Equal([(TriggerEvent.Raised, "Kernel panic", 6L)], first.Select(d => (d.Event, d.Match, d.Start)));
        Assert.Equal(["panic"], book.Raised);
        var cleared = Feed(book, ref at, "demo login: ", T0);
        Assert.Equal([TriggerEvent.Cleared], cleared.Select(d => d.Event));
        Assert.Empty(book.Raised);
        Assert.Equal([TriggerEvent.Raised], Feed(book, ref at, "Kernel panic", T0).Select(d => d.Event));
    }

    [Fact]
    public void A_rate_limit_holds_back_firings_beyond_its_count_until_the_period_passes()
    {
        var book = new TriggerBook([new TriggerSettings("oops", "Oops", AtMostCount: 2, AtMostPer: TimeSpan.FromSeconds(10))]);
        long at = 0;
        var events = Feed(book, ref at, "Oops Oops Oops", T0).Select(d => d.Event).ToList();
        Assert.Equal([TriggerEvent.Raised, TriggerEvent.Raised, TriggerEvent.Suppressed], events);
        Assert.Equal([TriggerEvent.Suppressed], Feed(book, ref at, "Oops", T0.AddSeconds(9.9)).Select(d => d.Event));
        Assert.Equal([TriggerEvent.Raised], Feed(book, ref at, "Oops", T0.AddSeconds(10)).Select(d => d.Event));
    }

    [Fact]
    public void A_gap_in_the_output_starts_matching_again_after_it()
    {
        var book = new TriggerBook([new TriggerSettings("split", "ABCD")]);
        long at = 0;
        Assert.Empty(Feed(book, ref at, "xxAB", T0));
        at += 100; // the watcher lost 100 bytes: "AB" + "CD" across the gap is no match
        Assert.Empty(Feed(book, ref at, "CDxx", T0));
        Assert.Single(Feed(book, ref at, "ABCD", T0));
    }

    [Fact]
    public void How_the_output_is_split_into_feeds_never_changes_the_decisions()
    {
        var seed = Environment.GetEnvironmentVariable("CONCENTRATOR_TRIGGERS_SEED") is { } s
            ? int.Parse(s, CultureInfo.InvariantCulture) : Random.Shared.Next();
        output.WriteLine($"seed {seed} (replay with CONCENTRATOR_TRIGGERS_SEED={seed})");
        var random = new Random(seed);
        string[] words = ["panic", "login:", "ok", "\r\n", "Oops", "x", "Kernel ", "error 42", " "];
        for (var round = 0; round < 300; round++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(1, 200)).Select(_ => words[random.Next(words.Length)]));
            var bytes = Encoding.ASCII.GetBytes(text);
            TriggerSettings[] rules =
            [
                new("panic", "Kernel panic", Clear: "login:"),
                new("error", @"error (\d\d)"), // fixed length: an open repetition at the end matches what has arrived so far
                new("oops", "Oops", AtMostCount: 3, AtMostPer: TimeSpan.FromHours(1)),
            ];
            var whole = new TriggerBook(rules).Feed(bytes, 0, T0);
            var split = new TriggerBook(rules);
            var decisions = new List<TriggerDecision>();
            for (var at = 0; at < bytes.Length;)
            {
                var n = random.Next(1, Math.Min(40, bytes.Length - at) + 1);
                decisions.AddRange(split.Feed(bytes.AsSpan(at, n), at, T0));
                at += n;
            }

            // Per trigger, the same decisions in the same order (across triggers a split may interleave them differently).
            foreach (var rule in rules)
            {
                Assert.True(whole.Where(d => d.Trigger == rule.Name).SequenceEqual(decisions.Where(d => d.Trigger == rule.Name)),
                    $"seed {seed}, round {round}: trigger {rule.Name} decided differently on \"{text}\" split into feeds");
            }
        }
    }
}
