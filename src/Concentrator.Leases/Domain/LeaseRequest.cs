using System.Net;

namespace Concentrator.Leases.Domain;

/// <summary>An <see cref="AcquireLease"/> that passed validation: a target, bounded durations, a holder.</summary>
public sealed record LeaseRequest(LeaseTarget Target, TimeSpan Ttl, TimeSpan Wait, string Holder, IPAddress? ForHost, int Priority,
    string? RequestId)
{
    /// <summary>The request, or the answer that says what is wrong with it (naming the limit).</summary>
    public static LeaseRequest? Validate(AcquireLease acquire, LeaseLimits limits, out LeaseInvalid? problem)
    {
        problem = Check(acquire, limits);
        if (problem is not null)
        {
            return null;
        }

        var target = acquire.Port is { } port ? LeaseTarget.Named(port) : LeaseTarget.Tagged(acquire.Tags!);
        var forHost = acquire.ForHost is null ? null : IPAddress.Parse(acquire.ForHost);
        return new LeaseRequest(target, acquire.Ttl, acquire.Wait, acquire.Holder, forHost, acquire.Priority, acquire.RequestId);
    }

    private static LeaseInvalid? Check(AcquireLease a, LeaseLimits limits)
    {
        var hasTags = a.Tags is { Count: > 0 };
        if ((a.Port is null) == !hasTags)
        {
            return new LeaseInvalid("name either a port or at least one tag (not both)");
        }

        if (a.Port is not null && (string.IsNullOrWhiteSpace(a.Port) || a.Port.Length > LeaseLimits.MaxTextLength))
        {
            return new LeaseInvalid($"the port name must be 1 to {LeaseLimits.MaxTextLength} characters");
        }

        if (hasTags && a.Tags!.FirstOrDefault(t => string.IsNullOrWhiteSpace(t) || t.Any(char.IsWhiteSpace) || t.Length > LeaseLimits.MaxTextLength) is { } badTag)
        {
            return new LeaseInvalid($"tag '{badTag}': a tag is one word without spaces, e.g. board:rpi4");
        }

        if (TtlProblem(a.Ttl, limits) is { } ttl)
        {
            return ttl;
        }

        if (a.Wait < TimeSpan.Zero || a.Wait > limits.MaxWait)
        {
            return new LeaseInvalid($"wait {LeaseText.Duration(a.Wait)}: must be from 0s to {LeaseText.Duration(limits.MaxWait)} (max-wait)");
        }

        if (!ValidText(a.Holder))
        {
            return new LeaseInvalid($"the holder must be a name of 1 to {LeaseLimits.MaxTextLength} printable characters");
        }

        if (a.ForHost is not null && !IPAddress.TryParse(a.ForHost, out _))
        {
            return new LeaseInvalid($"forHost '{a.ForHost}': expected an IP address such as 10.1.2.3 or fd00::5");
        }

        if (a.RequestId is not null && !ValidText(a.RequestId))
        {
            return new LeaseInvalid($"the request id must be 1 to {LeaseLimits.MaxTextLength} printable characters");
        }

        return null;
    }

    /// <summary>A TTL must be positive and at most max-ttl (for grants and renewals alike).</summary>
    public static LeaseInvalid? TtlProblem(TimeSpan ttl, LeaseLimits limits) =>
        ttl <= TimeSpan.Zero || ttl > limits.MaxTtl
            ? new LeaseInvalid($"ttl {LeaseText.Duration(ttl)}: must be longer than 0s and at most {LeaseText.Duration(limits.MaxTtl)} (max-ttl)")
            : null;

    private static bool ValidText(string? text) =>
        !string.IsNullOrWhiteSpace(text) && text.Length <= LeaseLimits.MaxTextLength && !text.Any(char.IsControl);
}
