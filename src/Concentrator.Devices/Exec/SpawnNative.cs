using System.Runtime.InteropServices;

namespace Concentrator.Devices.Exec;

/// <summary>glibc posix_spawn and friends, to start a program in its own session with a pty as its terminal.</summary>
internal static partial class SpawnNative
{
    private const string Libc = "libc";

    // glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128: room to spare.
    public const int OpaqueSize = 1024;

    public const short POSIX_SPAWN_SETSIGDEF = 0x04;
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;
    public const short POSIX_SPAWN_SETSID = 0x80;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGHUP = 1;
    public const int EINTR = 4;
    public const int ECHILD = 10;

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_init")]
    public static partial int FileActionsInit(nint actions);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_destroy")]
    public static partial int FileActionsDestroy(nint actions);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_addopen", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FileActionsAddOpen(nint actions, int fd, string path, int flags, uint mode);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_adddup2")]
    public static partial int FileActionsAddDup2(nint actions, int fd, int newFd);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_init")]
    public static partial int AttrInit(nint attr);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_destroy")]
    public static partial int AttrDestroy(nint attr);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_setflags")]
    public static partial int AttrSetFlags(nint attr, short flags);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_setsigmask")]
    public static partial int AttrSetSigMask(nint attr, nint set);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_setsigdefault")]
    public static partial int AttrSetSigDefault(nint attr, nint set);

    [LibraryImport(Libc, EntryPoint = "sigemptyset")]
    public static partial int SigEmptySet(nint set);

    [LibraryImport(Libc, EntryPoint = "sigfillset")]
    public static partial int SigFillSet(nint set);

    [LibraryImport(Libc, EntryPoint = "posix_spawnp", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SpawnP(out int pid, string file, nint actions, nint attr, nint argv, nint envp);

    [LibraryImport(Libc, EntryPoint = "waitpid", SetLastError = true)]
    public static partial int WaitPid(int pid, out int status, int options);

    [LibraryImport(Libc, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
