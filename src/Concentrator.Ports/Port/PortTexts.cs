using Concentrator.Ports.Configuration;

namespace Concentrator.Ports.Port;

/// <summary>What a port says to its sessions' users (role notices, the session list), kept apart from the routing.</summary>
internal static class PortTexts
{
    public const string ReadOnlyListener = "this listener is read-only";
    public const string CanWrite = "you can write";
    public const string ReadOnly = "read-only";

    public static string Waiting(int? holderId, string? holderPeer) =>
        "waiting for the write lock" + (holderId is null ? "" : $", held by session {holderId} ({holderPeer})");

    /// <summary>A role change with its cause, e.g. "you can write (session 1 left)".</summary>
    public static string RoleChange(string standing, string reason) => $"{standing} ({reason})";

    public static string Left(int sessionId) => $"session {sessionId} left";

    public static string WriteLockAction(WriteLockAction action, int sessionId) => action switch
    {
        Port.WriteLockAction.Force => $"session {sessionId} forced the write lock",
        Port.WriteLockAction.Ask => $"session {sessionId} asked for write",
        _ => $"session {sessionId} gave up write",
    };

    /// <summary>One line of the 'w' list: "* session 2  127.0.0.1:5000  telnet  read-write  connected 00:01:02".</summary>
    public static string SessionLine(bool isAsker, int id, string peer, ListenerProtocol protocol, string role, TimeSpan since) =>
        $"{(isAsker ? "*" : " ")} session {id}  {peer}  {ListenerSettings.ProtocolName(protocol)}  {role}  " +
        $"connected {(int)since.TotalHours:00}:{since.Minutes:00}:{since.Seconds:00}";
}
