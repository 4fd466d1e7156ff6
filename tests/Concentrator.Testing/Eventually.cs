namespace Concentrator.Testing;

/// <summary>
/// Waits for a condition with a deadline, instead of sleeping and hoping it has become true: the one polling wait of
/// the tests. (That something did NOT happen is never waited for: a sentinel sent after it proves it instead.)
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Polls <paramref name="condition"/> every <paramref name="poll"/> (20 ms unless given) until it is true; throws
    /// <see cref="TimeoutException"/> with <paramref name="explain"/>'s text when <paramref name="timeout"/> passes first.
    /// An exception from <paramref name="condition"/> ends the wait with it.
    /// </summary>
    public static void True(Func<bool> condition, TimeSpan timeout, Func<string> explain, TimeSpan? poll = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(explain);
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not within {timeout}: {explain()}");
            }

            Thread.Sleep(poll ?? DefaultPoll);
        }
    }

    /// <summary><see cref="True"/> without blocking a thread between polls (for async tests).</summary>
    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, Func<string> explain)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return TrueAsync(() => Task.FromResult(condition()), timeout, explain);
    }

    /// <summary><see cref="True"/> for a condition that is itself asynchronous (an HTTP request, a scrape), polled every <paramref name="poll"/> (20 ms unless given).</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> explain, TimeSpan? poll = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(explain);
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition().ConfigureAwait(false))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not within {timeout}: {explain()}");
            }

            await Task.Delay(poll ?? DefaultPoll).ConfigureAwait(false);
        }
    }
}
