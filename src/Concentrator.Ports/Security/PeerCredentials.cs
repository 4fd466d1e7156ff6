using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Concentrator.Ports.Security;

/// <summary>
/// Who is at the other end of a local (Unix) socket, from the kernel rather than from anything the peer says
/// (SO_PEERCRED), and the user and group lookups SSH entry needs (through libc, so NSS sources such as LDAP count).
/// Linux only.
/// </summary>
public static partial class PeerCredentials
{
    private const int SolSocket = 1, SoPeerCred = 17;
    private const int BufferSize = 16 * 1024;

    /// <summary>The peer's process, user and group ids.</summary>
    public readonly record struct Credentials(int ProcessId, uint UserId, uint GroupId);

    public static Credentials Of(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Span<byte> ucred = stackalloc byte[12];
        socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
        return new Credentials(BitConverter.ToInt32(ucred), BitConverter.ToUInt32(ucred[4..]), BitConverter.ToUInt32(ucred[8..]));
    }

    /// <summary>The user name of <paramref name="uid"/>, or null when the system has none.</summary>
    public static string? UserName(uint uid) => Lookup((entry, buffer) => GetPwUidR(uid, entry, buffer, BufferSize, out var found) == 0 && found != IntPtr.Zero);

    /// <summary>The id of group <paramref name="name"/>, or null when the system has none.</summary>
    public static uint? GroupId(string name)
    {
        uint? gid = null;
        Lookup((entry, buffer) =>
        {
            if (GetGrNamR(name, entry, buffer, BufferSize, out var found) != 0 || found == IntPtr.Zero)
            {
                return false;
            }

            gid = (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size); // struct group { gr_name, gr_passwd, gr_gid, ... }
            return true;
        });
        return gid;
    }

    /// <summary>Whether <paramref name="user"/> (primary group <paramref name="primaryGroup"/>) is in group <paramref name="gid"/>.</summary>
    public static bool IsInGroup(string user, uint primaryGroup, uint gid)
    {
        if (primaryGroup == gid)
        {
            return true;
        }

        var count = 64;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var groups = new uint[count];
            var n = count;
            if (GetGroupList(user, primaryGroup, groups, ref n) >= 0)
            {
                return groups.AsSpan(0, n).Contains(gid);
            }

            count = Math.Max(n, count * 4);
        }

        return false;
    }

    public static uint EffectiveUserId => GetEUid();

    public static uint EffectiveGroupId => GetEGid();

    /// <summary>Gives <paramref name="path"/> to group <paramref name="gid"/> (the owner stays).</summary>
    public static void ChangeGroup(string path, uint gid)
    {
        if (Chown(path, uint.MaxValue, gid) != 0)
        {
            throw new IOException($"chown :{gid} {path} failed (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    /// <summary>Runs a getpw*/getgr* style lookup with its buffers; returns pw_name / gr_name (the struct's first field).</summary>
    private static string? Lookup(Func<IntPtr, IntPtr, bool> call)
    {
        var entry = Marshal.AllocHGlobal(128);
        var buffer = Marshal.AllocHGlobal(BufferSize);
        try
        {
            return call(entry, buffer) ? Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(entry)) : null;
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
            Marshal.FreeHGlobal(entry);
        }
    }

    [LibraryImport("libc", EntryPoint = "getpwuid_r")]
    private static partial int GetPwUidR(uint uid, IntPtr entry, IntPtr buffer, nuint size, out IntPtr result);

    [LibraryImport("libc", EntryPoint = "getgrnam_r", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int GetGrNamR(string name, IntPtr entry, IntPtr buffer, nuint size, out IntPtr result);

    [LibraryImport("libc", EntryPoint = "getgrouplist", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int GetGroupList(string user, uint group, [Out] uint[] groups, ref int count);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEUid();

    [LibraryImport("libc", EntryPoint = "getegid")]
    private static partial uint GetEGid();

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, uint owner, uint group);
}
