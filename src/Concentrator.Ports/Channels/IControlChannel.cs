using Concentrator.Ports.Port;

namespace Concentrator.Ports.Channels;

/// <summary>
/// A channel that carries control messages beside the console bytes (the browser terminal: JSON text frames beside
/// binary ones). The session reads both through <see cref="ReceiveInputAsync"/>, in the order the client sent them,
/// and tells the client what a person needs to see outside the byte stream (its session, its role, why it closed).
/// </summary>
public interface IControlChannel : ISessionChannel
{
    /// <summary>Reads client bytes into <paramref name="buffer"/>, or one control message; a count of 0 with no control: closed.</summary>
    ValueTask<ChannelInput> ReceiveInputAsync(Memory<byte> buffer);

    /// <summary>
    /// Tells the client <paramref name="message"/>, after what was handed to the channel before. Never waits; bounded:
    /// a client that reads nothing gets no more control messages once a few are queued.
    /// </summary>
    void SendControl(ServerControl message);
}

/// <summary>What one read of an <see cref="IControlChannel"/> gave: <see cref="Count"/> console bytes, or a <see cref="Control"/> message.</summary>
public readonly record struct ChannelInput(int Count, ClientControl? Control);

/// <summary>A control message from the client (the browser terminal's toolbar); unknown or malformed ones are dropped by the channel.</summary>
public abstract record ClientControl;

/// <summary>The terminal's size changed. A serial console has no window size to pass it to; kept for the session's record.</summary>
public sealed record ResizeControl(int Columns, int Rows) : ClientControl;

/// <summary>Send a break to the device (read-write sessions only), like the escape command b.</summary>
public sealed record BreakControl : ClientControl
{
    public static BreakControl Instance { get; } = new();
}

/// <summary>Ask for, force or give up the write lock, like the escape commands a, f and s.</summary>
public sealed record WriteControl(WriteLockAction Action) : ClientControl;

/// <summary>Show the scrollback again, like the escape command r.</summary>
public sealed record ReplayControl : ClientControl
{
    public static ReplayControl Instance { get; } = new();
}

/// <summary>Who is connected, like the escape command w (the answer is a notice in the terminal).</summary>
public sealed record WhoControl : ClientControl
{
    public static WhoControl Instance { get; } = new();
}

/// <summary>A control message to the client.</summary>
public abstract record ServerControl;

/// <summary>The session was admitted as number <paramref name="Id"/> of <paramref name="Port"/>.</summary>
public sealed record SessionStartedControl(int Id, string Port) : ServerControl;

/// <summary>The session's role now (sent on admission and on every change), with the reason in words.</summary>
public sealed record RoleControl(bool CanWrite, string Reason) : ServerControl;

/// <summary>The session is closing, and why (kicked, refused, idle, the port was removed).</summary>
public sealed record ClosedControl(string Reason) : ServerControl;
