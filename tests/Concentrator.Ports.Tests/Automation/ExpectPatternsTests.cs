using System.Globalization;
using System.Text.RegularExpressions;
using Concentrator.Ports.Automation;
using Xunit.Abstractions;

namespace Concentrator.Ports.Tests.Automation;

/// <summary>What the server refuses to run, and the literal-prefix jump giving exactly the regex's own matches.</summary>
public sealed class ExpectPatternsTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("(a+)+\\1", "non-backtracking")]
    [InlineData("(?<=x)y", "non-backtracking")]
    [InlineData("(?>a+)b", "non-backtracking")]
    [InlineData("(unclosed", "Not enough )")]
    [InlineData("", "empty pattern")]
    public void A_pattern_the_server_will_not_run_is_refused_with_the_reason(string pattern, string reason)
    {
        var (regex, error) = ExpectPatterns.Compile(pattern);
        Assert.Null(regex);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_catastrophic_backtracking_pattern_runs_in_linear_time_on_this_engine()
    {
        var (regex, _) = ExpectPatterns.Compile("(a+)+$");
        Assert.DoesNotMatch(regex!, new string('a', 50_000) + "b"); // the backtracking engine would never finish
    }

    [Theory]
    [InlineData("Kernel panic", "Kernel panic")]
    [InlineData("BUG: \\w+", "BUG: ")]
    [InlineData("error (\\d\\d)", "error ")]
    [InlineData("abc?d", "ab")]
    [InlineData("ab*", null)]
    [InlineData("login:|Password:", null)]
    [InlineData("^root", null)]
    [InlineData("[Ee]rror", null)]
    public void The_literal_prefix_is_only_text_every_match_starts_with(string pattern, string? prefix) =>
        Assert.Equal(prefix, ExpectPatterns.LiteralPrefix(pattern));

    [Fact]
    public void Jumping_to_the_prefix_finds_the_same_matches_as_the_regex_alone()
    {
        var seed = Random.Shared.Next();
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        string[] patterns = ["ab+c", "abc?d", "ba(a|b)+", "aab", "ab{2}", "bb\\w"];
        for (var round = 0; round < 2000; round++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(0, 40)).Select(_ => "abcd"[random.Next(4)])]);
            var pattern = patterns[random.Next(patterns.Length)];
            var regex = ExpectPatterns.Compile(pattern).Regex!;
            var jumping = new PrefixedRegex(regex, ExpectPatterns.LiteralPrefix(pattern));
            var start = random.Next(0, text.Length + 1);
            var (a, b) = (regex.Match(text, start), jumping.Match(text, start));
            Assert.True((a.Success, a.Index, a.Length) == (b.Success, b.Index, b.Length),
                string.Create(CultureInfo.InvariantCulture, $"seed {seed}: /{pattern}/ on \"{text}\" from {start}"));
        }
    }
}
