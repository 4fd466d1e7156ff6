using System.Globalization;

namespace Concentrator.Ports.Session;

/// <summary>
/// A client terminal's size (SSH entry's pty, the browser terminal's). A serial console has no window to pass it to;
/// the session keeps it so the session list can show it ("120x40").
/// </summary>
public sealed record TerminalSize(int Columns, int Rows)
{
    /// <summary>The size, or null when either side is out of 1..10000 (unknown or nonsense).</summary>
    public static TerminalSize? Of(int columns, int rows) =>
        columns is > 0 and <= 10_000 && rows is > 0 and <= 10_000 ? new TerminalSize(columns, rows) : null;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Columns}x{Rows}");
}

/// <summary>
/// A session's current terminal size, set by whoever learns it (the SSH entry listener when ssh-entry reports a
/// resize, the session when the browser terminal does) and read by the port for the session list; like the session's
/// counters, a cell shared across threads rather than a message, since nothing decides anything on it.
/// </summary>
public sealed class SessionTerminal
{
    private TerminalSize? _size;

    public SessionTerminal(TerminalSize? size = null) => _size = size;

    public TerminalSize? Size
    {
        get => Volatile.Read(ref _size);
        set => Volatile.Write(ref _size, value);
    }
}

/// <summary>Session -> port: the client's terminal is now this size.</summary>
public sealed record SessionResized(TerminalSize Size);
