namespace Concentrator.Testing;

/// <summary>Waits for a condition with a deadline, instead of sleeping and hoping it has become true.</summary>
public static class Eventually
{
    /// <summary>
    /// Polls <paramref name="condition"/> every 20 ms until it is true; throws <see cref="TimeoutException"/> with
    /// <paramref name="explain"/>'s text when <paramref name="timeout"/> passes first.
    /// </summary>
    public static void True(Func<bool> condition, TimeSpan timeout, Func<string> explain)
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

            Thread.Sleep(20);
        }
    }
}
