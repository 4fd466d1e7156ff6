namespace Concentrator.Ports.Security;

/// <summary>The daemon-wide per-source limits of <c>concentrator.security</c>; 0 turns a limit off.</summary>
/// <param name="MaxConnectionsPerSource">Open connections from one source over all listeners.</param>
/// <param name="AcceptRatePerSource">New connections per second from one source (a burst of one second's worth is allowed).</param>
/// <param name="LoginAttempts">Failed logins from one source per minute before that source is refused on password listeners.</param>
public sealed record SourceLimits(int MaxConnectionsPerSource = 32, int AcceptRatePerSource = 20, int LoginAttempts = 5)
{
    public static SourceLimits Default { get; } = new();

    /// <summary>No limits at all (tests of other things, benchmarks).</summary>
    public static SourceLimits None { get; } = new(0, 0, 0);
}
