using System.Runtime.InteropServices;
using System.Text;
using static Concentrator.Devices.Exec.SpawnNative;

namespace Concentrator.Devices.Exec;

/// <summary>
/// Starts a program with posix_spawnp (no shell, PATH searched) in a new session whose controlling terminal is the
/// slave of a pty, signals as they were at exec (all default, none blocked), the environment of the daemon.
/// </summary>
internal static class ProgramOnPty
{
    private const int O_RDWR = 0x2;

    /// <summary>Spawns <paramref name="argv"/> with stdin, stdout and stderr on <paramref name="slavePath"/>; returns its pid.</summary>
    /// <exception cref="DeviceFaultException">The program could not be started (not found, not executable).</exception>
    public static int Spawn(IReadOnlyList<string> argv, string slavePath)
    {
        var actions = Marshal.AllocHGlobal(OpaqueSize);
        var attr = Marshal.AllocHGlobal(OpaqueSize);
        var mask = Marshal.AllocHGlobal(OpaqueSize);
        var defaults = Marshal.AllocHGlobal(OpaqueSize);
        var strings = new List<nint>();
        try
        {
            _ = FileActionsInit(actions);
            _ = AttrInit(attr);
            // After setsid the first terminal opened becomes the controlling one: the program gets job control and
            // SIGHUP when the pty goes, as under a terminal.
            Check(FileActionsAddOpen(actions, 0, slavePath, O_RDWR, 0), "posix_spawn_file_actions_addopen");
            Check(FileActionsAddDup2(actions, 0, 1), "posix_spawn_file_actions_adddup2");
            Check(FileActionsAddDup2(actions, 0, 2), "posix_spawn_file_actions_adddup2");
            _ = SigEmptySet(mask);
            _ = SigFillSet(defaults); // the runtime ignores SIGPIPE; an ignored signal would survive exec
            Check(AttrSetSigMask(attr, mask), "posix_spawnattr_setsigmask");
            Check(AttrSetSigDefault(attr, defaults), "posix_spawnattr_setsigdefault");
            Check(AttrSetFlags(attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF), "posix_spawnattr_setflags");

            var argvBlock = StringArray(argv, strings);
            var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .Select(e => $"{e.Key}={e.Value}").ToList();
            var envBlock = StringArray(environment, strings);
            var rc = SpawnP(out var pid, argv[0], actions, attr, argvBlock, envBlock);
            if (rc != 0)
            {
                throw new DeviceFaultException($"cannot start '{argv[0]}': {Marshal.GetPInvokeErrorMessage(rc)}", rc);
            }

            return pid;
        }
        finally
        {
            _ = FileActionsDestroy(actions);
            _ = AttrDestroy(attr);
            foreach (var p in strings)
            {
                Marshal.FreeHGlobal(p);
            }

            Marshal.FreeHGlobal(actions);
            Marshal.FreeHGlobal(attr);
            Marshal.FreeHGlobal(mask);
            Marshal.FreeHGlobal(defaults);
        }
    }

    private static void Check(int rc, string what)
    {
        if (rc != 0)
        {
            throw new DeviceFaultException($"{what} failed: {Marshal.GetPInvokeErrorMessage(rc)}", rc);
        }
    }

    // A NULL-terminated char*[] in unmanaged memory; every allocation is recorded in owned.
    private static nint StringArray(IReadOnlyList<string> items, List<nint> owned)
    {
        var block = Marshal.AllocHGlobal(nint.Size * (items.Count + 1));
        owned.Add(block);
        for (var i = 0; i < items.Count; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(items[i] + "\0");
            var p = Marshal.AllocHGlobal(bytes.Length);
            owned.Add(p);
            Marshal.Copy(bytes, 0, p, bytes.Length);
            Marshal.WriteIntPtr(block, i * nint.Size, p);
        }

        Marshal.WriteIntPtr(block, items.Count * nint.Size, 0);
        return block;
    }

    /// <summary>Blocks until <paramref name="pid"/> ends and describes how ("exited with status 1", "killed by signal 9").</summary>
    public static string WaitForExit(int pid)
    {
        while (true)
        {
            if (WaitPid(pid, out var status, 0) == pid)
            {
                return (status & 0x7f) == 0 ? $"exited with status {(status >> 8) & 0xff}" : $"killed by signal {status & 0x7f}";
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR)
            {
                return errno == ECHILD ? "ended" : $"cannot be waited for ({Marshal.GetPInvokeErrorMessage(errno)})";
            }
        }
    }
}
