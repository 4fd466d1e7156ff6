using System.Net.Sockets;

namespace Concentrator.Ports.Security;

/// <summary>
/// The Unix socket <c>concentrator ssh-entry</c> (sshd's ForceCommand) reaches the daemon through. Mode 0660 and the
/// ssh-entry group (or the daemon's own group): only that group may open it, and every peer is checked again with
/// SO_PEERCRED (<see cref="MayConnect"/>), so a socket whose mode someone loosened still admits nobody else.
/// </summary>
public static class SshEntrySocket
{
    /// <summary>Binds <paramref name="path"/>; a stale socket file (no daemon behind it) is replaced, a live one is an error.</summary>
    public static Socket Bind(string path, string? group)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("SSH entry needs Linux (SO_PEERCRED)");
        }

        uint? gid = null;
        if (group is not null)
        {
            gid = PeerCredentials.GroupId(group) ?? throw new IOException($"security.ssh-entry-group: no group '{group}' on this system");
        }

        if (Path.GetDirectoryName(path) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        if (File.Exists(path))
        {
            using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new IOException($"{path} is served by another running daemon");
            }
            catch (SocketException)
            {
                File.Delete(path); // left behind by a daemon that did not stop cleanly
            }
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            if (gid is { } g)
            {
                PeerCredentials.ChangeGroup(path, g);
            }

            socket.Listen(64);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether the peer may use SSH entry: root, the daemon's own user, or a member of the socket's group. Returns the
    /// peer's user name (the principal is "ssh:" + it), or null with the reason.
    /// </summary>
    public static string? MayConnect(PeerCredentials.Credentials peer, string? group, out string? refusal)
    {
        refusal = null;
        var user = PeerCredentials.UserName(peer.UserId);
        if (user is null)
        {
            refusal = $"uid {peer.UserId} has no user name on this system";
            return null;
        }

        var gid = group is null ? PeerCredentials.EffectiveGroupId : PeerCredentials.GroupId(group);
        if (peer.UserId == 0 || peer.UserId == PeerCredentials.EffectiveUserId || (gid is { } g && PeerCredentials.IsInGroup(user, peer.GroupId, g)))
        {
            return user;
        }

        refusal = $"user {user} (uid {peer.UserId}) is not in the ssh-entry group";
        return null;
    }
}
