namespace Concentrator.Ports.Automation;

/// <summary>
/// How an expect ended: the first pattern that matched (its index, text, groups and byte offsets in the port's output),
/// or no match in time. <see cref="Transcript"/> is the output from where the wait began to the end of the match (or to
/// when it gave up); <see cref="From"/> is where that is, which is later than asked when the capture no longer had it.
/// </summary>
public sealed record ExpectResult(bool Matched, int Pattern, string? Match, IReadOnlyList<string?> Groups, long Start, long End,
    long From, string Transcript);
