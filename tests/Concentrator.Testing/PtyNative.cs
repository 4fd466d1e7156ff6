using System.Runtime.InteropServices;

namespace Concentrator.Testing;

/// <summary>Pseudo-terminal allocation (all in glibc's libc).</summary>
internal static partial class PtyNative
{
    [LibraryImport("libc", EntryPoint = "posix_openpt", SetLastError = true)]
    public static partial int PosixOpenpt(int flags);

    [LibraryImport("libc", EntryPoint = "grantpt", SetLastError = true)]
    public static partial int Grantpt(int fd);

    [LibraryImport("libc", EntryPoint = "unlockpt", SetLastError = true)]
    public static partial int Unlockpt(int fd);

    [LibraryImport("libc", EntryPoint = "ptsname_r", SetLastError = true)]
    public static unsafe partial int PtsnameR(int fd, byte* buffer, nuint length);
}
