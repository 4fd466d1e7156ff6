namespace Concentrator.Client.Tests;

/// <summary>The real <c>concentrator</c> executable with a client command, as a <see cref="RunningProcess"/>.</summary>
public static class ConcentratorCli
{
    /// <summary>Starts it; the test waits for its output, signals it and disposes it.</summary>
    public static RunningProcess Start(params string[] args) => RunningProcess.Concentrator(args);

    /// <summary>
    /// Runs it to its end and returns exit code and both outputs. Its stdin stays open (unlike
    /// <see cref="ExternalCommand"/>'s), as a person's terminal would: <c>attach</c> must report a refusal, not end on EOF.
    /// </summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string[] args, TimeSpan timeout)
    {
        using var cli = Start(args);
        var exitCode = cli.WaitForExit(timeout);
        return (exitCode, cli.Stdout, cli.Stderr);
    }
}
