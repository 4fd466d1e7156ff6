using Concentrator.Ports.Port;
using Concentrator.Ports.Power;
using Concentrator.Ports.Sharing;

namespace Concentrator.Ports.Session;

/// <summary>What the session does for an escape command: tell the port, send a break, disconnect, and what to say.</summary>
/// <param name="ToPort">A request for the port (write lock, replay, who), or null.</param>
/// <param name="Break">Send a break (only ever true for a session that may write).</param>
/// <param name="Disconnect">Close the session after saying <paramref name="Notice"/>.</param>
/// <param name="Notice">A line for the person at the keyboard, or null.</param>
internal readonly record struct ConsoleAction(object? ToPort = null, bool Break = false, bool Disconnect = false, string? Notice = null);

/// <summary>
/// The console a person sees in a session, apart from the connection's life: what each escape command does and every
/// text the session says (notices, help). Pure: the session actor carries out what it returns.
/// </summary>
/// <param name="escape">The escape sequence sessions of this kind interpret, or null (raw and RFC 2217 stay byte-transparent).</param>
/// <param name="listenerWritable">Whether the listener lets sessions write at all (so asking for write is a way out).</param>
internal sealed class SessionConsole(EscapeSequence? escape, bool listenerWritable)
{
    /// <summary>How long a break from an escape command or a telnet BREAK holds the line.</summary>
    public static readonly TimeSpan BreakLength = TimeSpan.FromMilliseconds(250);

    public const string InputDiscarded = "the device is offline: your input is discarded";

    /// <summary>What escape command <paramref name="letter"/> does for a session that may (or may not) write now.</summary>
    public ConsoleAction Command(char letter, bool canWrite, char? argument = null) => letter switch
    {
        EscapeSequence.PowerLetter => Power(argument, canWrite),
        'f' => new ConsoleAction(ToPort: new WriteLockRequest(WriteLockAction.Force)),
        'a' => new ConsoleAction(ToPort: new WriteLockRequest(WriteLockAction.Ask)),
        's' => new ConsoleAction(ToPort: new WriteLockRequest(WriteLockAction.Release)),
        'r' => new ConsoleAction(ToPort: RequestReplay.Instance),
        'w' => new ConsoleAction(ToPort: ListSessions.Instance),
        'b' => canWrite ? new ConsoleAction(Break: true, Notice: "break sent") : new ConsoleAction(Notice: "read-only: break not sent"),
        '.' => new ConsoleAction(Disconnect: true, Notice: "disconnecting"),
        _ => new ConsoleAction(Notice: Help()),
    };

    /// <summary>The escape commands, for '?' and any letter that is not one.</summary>
    public string Help()
    {
        var e = escape?.Describe() ?? "the escape";
        var first = e.Split(' ')[0];
        return $"commands after {e}: f force write, a ask for write, s become read-only, r replay scrollback, " +
               $"b send break, p then 1 power on, 0 off, c cycle or s status, w who is connected, . disconnect, ? this help; " +
               $"{e} {first} sends {first} itself";
    }

    /// <summary>Power: 1 on, 0 off, c cycle, s status. The port decides whether this session may (its ACL and lease).</summary>
    private ConsoleAction Power(char? key, bool canWrite)
    {
        PowerAction? action = key switch
        {
            '1' => PowerAction.On,
            '0' => PowerAction.Off,
            'c' => PowerAction.Cycle,
            's' => PowerAction.Status,
            _ => null,
        };
        if (action is not { } chosen)
        {
            return new ConsoleAction(Notice: "power: after p type 1 (on), 0 (off), c (cycle) or s (status)");
        }

        return canWrite || chosen == PowerAction.Status
            ? new ConsoleAction(ToPort: new SessionPowerRequest(chosen), Notice: $"power {PowerActions.Word(chosen)}: asked")
            : new ConsoleAction(Notice: $"read-only: power {PowerActions.Word(chosen)} not asked");
    }

    /// <summary>What the port answered a session's power request.</summary>
    public static string PowerAnswer(object answer) => answer switch
    {
        PowerSwitched done => $"power {PowerActions.Word(done.Action)}: {(done.Ok ? "ok" : "failed")}" +
            (string.IsNullOrWhiteSpace(done.Output) ? "" : ": " + done.Output.Trim().ReplaceLineEndings("\r\n")),
        PowerNotConfigured none => $"power {PowerActions.Word(none.Action)}: port {none.Port} has no power control for that",
        Management.ActionRefused refused => "power: refused: " + refused.Reason,
        _ => "power: no answer",
    };

    /// <summary>Said when the lease token a client presented is not the one of the port's lease (none, ended, or another's).</summary>
    public static string NotTheLeaseToken(string port) =>
        $"the lease token you presented is not the token of port {port}'s lease (it has none, it ended, or it is another's)";

    /// <summary>Said once when a read-only session types: where asking for write can help, how.</summary>
    public string ReadOnlyInput() =>
        "read-only: your input is not sent to the device" + (listenerWritable ? Hint("a", "to ask for write") : "");

    /// <summary>
    /// Whether a role change is news to the person: every change after the first; the first only when a session that
    /// thought it could write learns it cannot (an exclusive lock is held).
    /// </summary>
    public static bool Announces(RoleChanged role, bool couldWrite) => !role.Initial || (couldWrite && !role.CanWrite);

    public static string PortState(PortStatusChanged status) =>
        $"port {status.Port} {status.State.ToString().ToLowerInvariant()}{(status.Detail.Length > 0 ? ": " + status.Detail : "")}";

    public static string Sessions(string port, IReadOnlyList<string> lines) => $"connected to port {port}:\r\n" + string.Join("\r\n", lines);

    public static string Idle(TimeSpan timeout) => $"idle for {timeout.TotalSeconds:0} s, disconnecting";

    /// <summary>A notice as the client sees it, on a line of its own.</summary>
    public static string Framed(string text) => $"\r\n[concentrator: {text}]\r\n";

    private string Hint(string letter, string what) => escape is null ? "" : $" ({escape.Describe()} {letter} {what})";
}
