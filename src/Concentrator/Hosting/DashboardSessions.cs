using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Concentrator.Hosting;

/// <summary>
/// Signed-in dashboard browsers, kept on the server: the cookie carries a random session id, never the API token or
/// password, so a stolen cookie dies with its session (logout, expiry after <see cref="Lifetime"/>, the token leaving the
/// tokens file or the user the users file, a daemon restart) and the credential never sits in a browser. Thread-safe; bounded.
/// </summary>
public sealed class DashboardSessions(TimeProvider? time = null)
{
    /// <summary>How long a sign-in lasts.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    /// <summary>Sessions kept at most; past that the expired go, then the oldest.</summary>
    public const int MaxSessions = 10_000;

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, Entry> _sessions = new(StringComparer.Ordinal);

    /// <summary>A new session for <paramref name="signIn"/>; its id goes in the cookie.</summary>
    public string Open(DashboardSignIn signIn)
    {
        ArgumentNullException.ThrowIfNull(signIn);
        var now = _time.GetUtcNow();
        if (_sessions.Count >= MaxSessions)
        {
            foreach (var (id, entry) in _sessions.Where(s => s.Value.Expires <= now).ToList())
            {
                _sessions.TryRemove(id, out _);
            }

            foreach (var (id, _) in _sessions.OrderBy(s => s.Value.Expires).Take(Math.Max(0, _sessions.Count - MaxSessions + 1)).ToList())
            {
                _sessions.TryRemove(id, out _);
            }
        }

        var session = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _sessions[session] = new Entry(signIn, now + Lifetime);
        return session;
    }

    /// <summary>What a live session was opened with, or null (unknown, ended or expired).</summary>
    public DashboardSignIn? Find(string session)
    {
        if (!_sessions.TryGetValue(session, out var entry))
        {
            return null;
        }

        if (entry.Expires > _time.GetUtcNow())
        {
            return entry.SignIn;
        }

        _sessions.TryRemove(session, out _);
        return null;
    }

    /// <summary>Ends <paramref name="session"/> (logout): its cookie is worth nothing from now on.</summary>
    public void Close(string session) => _sessions.TryRemove(session, out _);

    private sealed record Entry(DashboardSignIn SignIn, DateTimeOffset Expires);
}
