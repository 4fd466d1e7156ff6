using System.Diagnostics;

namespace Concentrator.Testing;

/// <summary>Ending the processes tests start (daemons, CLI runs, peers) on every path, failures included.</summary>
public static class ChildProcesses
{
    /// <summary>Kills the process and its children if still running, waits briefly for the exit, then disposes it.</summary>
    public static void KillAndDispose(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // never started, or already gone
        }

        process.Dispose();
    }
}
