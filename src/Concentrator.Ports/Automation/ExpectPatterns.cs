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
}
