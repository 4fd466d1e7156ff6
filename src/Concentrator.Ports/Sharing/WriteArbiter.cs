using Concentrator.Ports.Configuration;

namespace Concentrator.Ports.Sharing;

/// <summary>
/// Decides which sessions of a port may write. <see cref="WritePolicy.Shared"/>: every read-write session
/// writes. <see cref="WritePolicy.Exclusive"/>: one holder at a time; others wait in arrival order and the
/// longest-waiting one is promoted when the holder leaves or steps down. Every operation returns the sessions
/// whose write permission changed, so the caller can tell them. No Akka: keys are whatever identifies a session.
/// </summary>
internal sealed class WriteArbiter<T>(WritePolicy policy) where T : notnull
{
    private readonly Dictionary<T, bool> _mayWrite = []; // listener allows writing
    private readonly HashSet<T> _optedOut = [];           // chose read-only ('s')
    private readonly List<T> _waiting = [];
    private T? _holder;
    private bool _hasHolder;

    public WritePolicy Policy => policy;

    /// <summary>Whether a session holds the exclusive write lock.</summary>
    public bool IsHeld => _hasHolder;

    public bool CanWrite(T session) => policy == WritePolicy.Shared
        ? _mayWrite.GetValueOrDefault(session) && !_optedOut.Contains(session)
        : _hasHolder && EqualityComparer<T>.Default.Equals(_holder, session);

    /// <summary>Whether the session waits for the write lock (exclusive policy).</summary>
    public bool IsWaiting(T session) => _waiting.Contains(session);

    public IReadOnlyList<(T Session, bool CanWrite)> Join(T session, bool readWrite)
    {
        var before = Snapshot();
        _mayWrite[session] = readWrite;
        if (policy == WritePolicy.Exclusive && readWrite)
        {
            if (!_hasHolder)
            {
                SetHolder(session);
            }
            else
            {
                _waiting.Add(session);
            }
        }

        return Changes(before, session);
    }

    public IReadOnlyList<(T Session, bool CanWrite)> Leave(T session)
    {
        var before = Snapshot();
        _mayWrite.Remove(session);
        _optedOut.Remove(session);
        _waiting.Remove(session);
        if (IsHolder(session))
        {
            ClearHolder();
            PromoteNext();
        }

        before.Remove(session);
        return Changes(before, default);
    }

    /// <summary>'f': take the write lock now; the previous holder becomes read-only and waits again.</summary>
    public IReadOnlyList<(T Session, bool CanWrite)> Force(T session)
    {
        if (!_mayWrite.GetValueOrDefault(session))
        {
            return [];
        }

        var before = Snapshot();
        _optedOut.Remove(session);
        if (policy == WritePolicy.Exclusive && !IsHolder(session))
        {
            _waiting.Remove(session);
            if (_hasHolder)
            {
                _waiting.Insert(0, _holder!);
            }

            SetHolder(session);
        }

        return Changes(before, default);
    }

    /// <summary>'a': ask for write; granted at once when free, otherwise queued.</summary>
    public IReadOnlyList<(T Session, bool CanWrite)> Ask(T session)
    {
        if (!_mayWrite.GetValueOrDefault(session))
        {
            return [];
        }

        var before = Snapshot();
        _optedOut.Remove(session);
        if (policy == WritePolicy.Exclusive && !IsHolder(session))
        {
            if (!_hasHolder)
            {
                SetHolder(session);
            }
            else if (!_waiting.Contains(session))
            {
                _waiting.Add(session);
            }
        }

        return Changes(before, default);
    }

    /// <summary>'s': become read-only (and stop waiting); the lock passes to the longest-waiting session.</summary>
    public IReadOnlyList<(T Session, bool CanWrite)> Release(T session)
    {
        var before = Snapshot();
        _optedOut.Add(session);
        _waiting.Remove(session);
        if (IsHolder(session))
        {
            ClearHolder();
            PromoteNext();
        }

        return Changes(before, default);
    }

    /// <summary>
    /// Who may write changed for sessions already here (the port's lease went to or from them). All losses are applied
    /// before all gains, so a session is never promoted only to be demoted by the same change: a holder that loses
    /// the right steps down, one that gains it takes a free lock or waits, and the net changes are returned.
    /// </summary>
    public IReadOnlyList<(T Session, bool CanWrite)> Permit(IEnumerable<(T Session, bool MayWrite)> rights)
    {
        var before = Snapshot();
        var changed = rights.Where(r => _mayWrite.TryGetValue(r.Session, out var had) && had != r.MayWrite).ToList();
        foreach (var (session, _) in changed.Where(r => !r.MayWrite))
        {
            _mayWrite[session] = false;
            _waiting.Remove(session);
            if (IsHolder(session))
            {
                ClearHolder();
            }
        }

        foreach (var (session, _) in changed.Where(r => r.MayWrite))
        {
            _mayWrite[session] = true;
            if (policy == WritePolicy.Exclusive && !_optedOut.Contains(session))
            {
                if (!_hasHolder)
                {
                    SetHolder(session);
                }
                else
                {
                    _waiting.Add(session);
                }
            }
        }

        if (policy == WritePolicy.Exclusive && !_hasHolder)
        {
            PromoteNext();
        }

        return Changes(before, default);
    }

    private bool IsHolder(T session) => _hasHolder && EqualityComparer<T>.Default.Equals(_holder, session);

    private void SetHolder(T session)
    {
        _holder = session;
        _hasHolder = true;
    }

    private void ClearHolder()
    {
        _holder = default;
        _hasHolder = false;
    }

    private void PromoteNext()
    {
        if (_waiting.Count > 0)
        {
            SetHolder(_waiting[0]);
            _waiting.RemoveAt(0);
        }
    }

    private Dictionary<T, bool> Snapshot() => _mayWrite.Keys.ToDictionary(s => s, CanWrite);

    private List<(T, bool)> Changes(Dictionary<T, bool> before, T? joined)
    {
        var changes = new List<(T, bool)>();
        foreach (var session in _mayWrite.Keys)
        {
            var now = CanWrite(session);
            var isJoined = joined is not null && EqualityComparer<T>.Default.Equals(session, joined);
            if (isJoined ? true : before.TryGetValue(session, out var was) && was != now)
            {
                changes.Add((session, now));
            }
        }

        return changes;
    }
}
