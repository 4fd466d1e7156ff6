using System.Text.RegularExpressions;

namespace Concentrator.Ports.Automation;

/// <summary>
/// Compiles the regular expressions users give expect and triggers, with the non-backtracking engine (time linear in
/// the input, whatever the pattern) and a match timeout besides. A pattern that engine cannot run (backreferences,
/// lookarounds, atomic groups), one too large to build, or one that does not parse is refused with the reason.
/// Matching is on the output's bytes read as Latin-1 (one character per byte), so offsets are byte offsets.
/// </summary>
public static class ExpectPatterns
{
    public const int MaxPatternLength = 4096;

    public static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    public const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    /// <summary>The compiled pattern, or null and why it is refused.</summary>
    public static (Regex? Regex, string? Error) Compile(string pattern)
    {
        if (pattern.Length == 0)
        {
            return (null, "an empty pattern matches everything; give the text to wait for");
        }

        if (pattern.Length > MaxPatternLength)
        {
            return (null, $"the pattern is {pattern.Length} characters; at most {MaxPatternLength}");
        }

        try
        {
            var regex = new Regex(pattern, Options, MatchTimeout);
            regex.Match(string.Empty); // builds the engine's first states: a pattern too large to run fails here, not mid-stream
            return (regex, null);
        }
        catch (NotSupportedException e)
        {
            return (null, $"not supported by the non-backtracking engine the server matches with: {e.Message}");
        }
        catch (ArgumentException e)
        {
            return (null, e.Message);
        }
        catch (RegexMatchTimeoutException)
        {
            return (null, "the pattern is too costly to run");
        }
    }

    /// <summary>
    /// The literal text every match of <paramref name="pattern"/> starts with (2 characters or more), or null when it
    /// has none this simple reading can vouch for (an alternation anywhere, a group, class or anchor first). A scan can
    /// jump to that text with a vectorized search before it runs the regex (see <see cref="PrefixedRegex"/>).
    /// </summary>
    public static string? LiteralPrefix(string pattern)
    {
        if (pattern.Contains('|', StringComparison.Ordinal))
        {
            return null;
        }

        var n = 0;
        while (n < pattern.Length && !IsMeta(pattern[n]))
        {
            n++;
        }

        if (n < pattern.Length && pattern[n] is '?' or '*' or '{')
        {
            n--; // the last literal is optional or repeated: not part of every match
        }

        return n >= 2 ? pattern[..n] : null;
    }

    private static bool IsMeta(char c) => c is '\\' or '^' or '$' or '.' or '|' or '?' or '*' or '+' or '(' or ')' or '[' or ']' or '{' or '}' or '#';
}

/// <summary>A compiled pattern and its literal prefix: a match is looked for only from where that text first occurs.</summary>
public sealed class PrefixedRegex(Regex regex, string? prefix)
{
    public Regex Regex { get; } = regex;

    /// <summary>The leftmost match at or after <paramref name="startAt"/>, as <see cref="Regex.Match(string, int)"/> finds it.</summary>
    public Match Match(string text, int startAt)
    {
        if (prefix is not null)
        {
            var at = text.IndexOf(prefix, startAt, StringComparison.Ordinal);
            if (at < 0)
            {
                return System.Text.RegularExpressions.Match.Empty;
            }

            startAt = at; // no match starts before the prefix's first occurrence
        }

        return Regex.Match(text, startAt);
    }
}
