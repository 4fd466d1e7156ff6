using Concentrator.Leases.Configuration;

namespace Concentrator.Leases.Domain;

/// <summary>The bounds that keep requests sane and queues bounded.</summary>
/// <param name="MaxTtl">The longest lease or renewal.</param>
/// <param name="MaxWait">The longest wait in a queue.</param>
/// <param name="MaxWaiters">Waiters per port or tag set.</param>
/// <param name="EndedKept">Ended leases remembered (for retried request ids and "gone" answers), newest first.</param>
/// <param name="EndedRetention">How long an ended lease is remembered.</param>
public sealed record LeaseLimits(TimeSpan MaxTtl, TimeSpan MaxWait, int MaxWaiters, int EndedKept, TimeSpan EndedRetention)
{
    public const int MaxTextLength = 200;

    public static LeaseLimits Default { get; } = From(LeaseSettings.Default());

    public static LeaseLimits From(LeaseSettings settings) =>
        new(settings.MaxTtl, settings.MaxWait, settings.MaxWaiters, EndedKept: 10_000, EndedRetention: TimeSpan.FromDays(1));
}
