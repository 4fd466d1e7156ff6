using Concentrator.Ports.Session;

namespace Concentrator.Ports.Listener;

/// <summary>
/// The terminals of the SSH entry sessions, by the ssh-entry process that opened them (its pid and account, from
/// SO_PEERCRED): when that process's terminal changes size (SIGWINCH) it reports the new size on a second connection,
/// and only the same process of the same account finds its session's terminal here. Entries are weak, so a session
/// that ended takes nothing with it; dead ones are swept as the table grows. Used on the listener's actor thread only.
/// </summary>
public sealed class SshEntryTerminals
{
    private const int SweepAbove = 256;
    private readonly Dictionary<int, (string User, WeakReference<SessionTerminal> Terminal)> _byProcess = [];

    public int Count => _byProcess.Count;

    /// <summary>A new session's terminal, starting at <paramref name="size"/>, remembered for process <paramref name="pid"/>.</summary>
    public SessionTerminal Open(int pid, string user, TerminalSize? size)
    {
        if (_byProcess.Count >= SweepAbove)
        {
            foreach (var dead in _byProcess.Where(e => !e.Value.Terminal.TryGetTarget(out _)).Select(e => e.Key).ToList())
            {
                _byProcess.Remove(dead);
            }
        }

        var terminal = new SessionTerminal(size);
        _byProcess[pid] = (user, new WeakReference<SessionTerminal>(terminal));
        return terminal;
    }

    /// <summary>Process <paramref name="pid"/> of <paramref name="user"/> says its terminal is now <paramref name="size"/>; false when it has no session.</summary>
    public bool Resize(int pid, string user, TerminalSize size)
    {
        if (!_byProcess.TryGetValue(pid, out var entry) || entry.User != user || !entry.Terminal.TryGetTarget(out var terminal))
        {
            return false;
        }

        terminal.Size = size;
        return true;
    }
}
