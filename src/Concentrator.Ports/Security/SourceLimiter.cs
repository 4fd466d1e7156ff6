using System.Net;

namespace Concentrator.Ports.Security;

/// <summary>
/// The daemon-wide per-source limiter shared by every listener: open connections, the accept rate (a token bucket),
/// and failed logins in the last minute. Thread-safe (listeners run on different threads); its table of sources is
/// bounded, so a flood from many addresses cannot grow the daemon's memory without bound.
/// </summary>
public sealed class SourceLimiter
{
    /// <summary>Most sources tracked at once; idle ones are forgotten first. About 100 bytes each.</summary>
    public const int MaxTrackedSources = 65_536;

    private static readonly TimeSpan LoginWindow = TimeSpan.FromMinutes(1);
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, Entry> _sources = [];
    private readonly TimeProvider _time;
    private SourceLimits _limits;

    public SourceLimiter(SourceLimits limits, TimeProvider? time = null)
    {
        _limits = limits;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The limits in force; a reload replaces them (counts already kept stay).</summary>
    public SourceLimits Limits
    {
        get
        {
            lock (_gate)
            {
                return _limits;
            }
        }
        set
        {
            lock (_gate)
            {
                _limits = value;
            }
        }
    }

    /// <summary>Sources tracked now (diagnostics and tests).</summary>
    public int TrackedSources
    {
        get
        {
            lock (_gate)
            {
                return _sources.Count;
            }
        }
    }

    /// <summary>
    /// A new connection from <paramref name="source"/>: a slot (dispose it when the connection ends) or the reason it
    /// is refused. A refused connection takes no slot and no token.
    /// </summary>
    public bool TryAcquire(IPAddress source, out IDisposable? slot, out string? refusal)
    {
        var key = SourceAddress.Key(source);
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            slot = null;
            if (!TryGetEntry(key, now, out var entry))
            {
                refusal = $"more than {MaxTrackedSources} sources at once";
                return false;
            }

            Refill(entry, now);
            if (_limits.AcceptRatePerSource > 0 && entry.Tokens < 1)
            {
                refusal = $"accept-rate-per-source {_limits.AcceptRatePerSource}/s exceeded";
                return false;
            }

            if (_limits.MaxConnectionsPerSource > 0 && entry.Connections >= _limits.MaxConnectionsPerSource)
            {
                refusal = $"max-connections-per-source {_limits.MaxConnectionsPerSource} reached";
                return false;
            }

            entry.Tokens -= 1;
            entry.Connections++;
            refusal = null;
            slot = new Slot(this, key);
            return true;
        }
    }

    /// <summary>A login from <paramref name="source"/> failed.</summary>
    public void LoginFailed(IPAddress source)
    {
        var key = SourceAddress.Key(source);
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (_limits.LoginAttempts <= 0 || !TryGetEntry(key, now, out var entry))
            {
                return;
            }

            ForgetOldFailures(entry, now);
            entry.LoginFailures ??= new Queue<long>();
            if (entry.LoginFailures.Count >= _limits.LoginAttempts)
            {
                entry.LoginFailures.Dequeue(); // only the newest `login-attempts` matter: the queue stays that short
            }

            entry.LoginFailures.Enqueue(now);
        }
    }

    /// <summary>Whether <paramref name="source"/> failed <c>login-attempts</c> logins within the last minute.</summary>
    public bool IsLoginBlocked(IPAddress source, out string? reason)
    {
        var key = SourceAddress.Key(source);
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            reason = null;
            if (_limits.LoginAttempts <= 0 || !_sources.TryGetValue(key, out var entry) || entry.LoginFailures is null)
            {
                return false;
            }

            ForgetOldFailures(entry, now);
            if (entry.LoginFailures.Count < _limits.LoginAttempts)
            {
                return false;
            }

            var wait = LoginWindow - _time.GetElapsedTime(entry.LoginFailures.Peek(), now);
            reason = $"{entry.LoginFailures.Count} failed logins within a minute (login-attempts {_limits.LoginAttempts}); " +
                     $"refused for another {Math.Max(1, wait.TotalSeconds):0} s";
            return true;
        }
    }

    private void Release(IPAddress key)
    {
        lock (_gate)
        {
            if (_sources.TryGetValue(key, out var entry) && entry.Connections > 0)
            {
                entry.Connections--;
            }
        }
    }

    private bool TryGetEntry(IPAddress key, long now, out Entry entry)
    {
        if (_sources.TryGetValue(key, out entry!))
        {
            return true;
        }

        if (_sources.Count >= MaxTrackedSources)
        {
            ForgetIdle(now);
            if (_sources.Count >= MaxTrackedSources)
            {
                return false;
            }
        }

        entry = new Entry { Tokens = Math.Max(1, _limits.AcceptRatePerSource), Refilled = now };
        _sources[key] = entry;
        return true;
    }

    /// <summary>Forgets sources that hold nothing: no connection, a full bucket, no recent failed login.</summary>
    private void ForgetIdle(long now)
    {
        foreach (var (key, entry) in _sources)
        {
            Refill(entry, now);
            ForgetOldFailures(entry, now);
            if (entry.Connections == 0 && entry.Tokens >= _limits.AcceptRatePerSource && entry.LoginFailures is not { Count: > 0 })
            {
                _sources.Remove(key);
            }
        }
    }

    private void Refill(Entry entry, long now)
    {
        var rate = _limits.AcceptRatePerSource;
        if (rate <= 0)
        {
            entry.Tokens = 1;
            return;
        }

        var elapsed = _time.GetElapsedTime(entry.Refilled, now).TotalSeconds;
        entry.Tokens = Math.Min(rate, entry.Tokens + elapsed * rate);
        entry.Refilled = now;
    }

    private void ForgetOldFailures(Entry entry, long now)
    {
        while (entry.LoginFailures is { Count: > 0 } failures && _time.GetElapsedTime(failures.Peek(), now) > LoginWindow)
        {
            failures.Dequeue();
        }
    }

    private sealed class Entry
    {
        public int Connections;
        public double Tokens;
        public long Refilled;
        public Queue<long>? LoginFailures;
    }

    /// <summary>One open connection's place in its source's count; given back exactly once.</summary>
    private sealed class Slot(SourceLimiter limiter, IPAddress key) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                limiter.Release(key);
            }
        }
    }
}
