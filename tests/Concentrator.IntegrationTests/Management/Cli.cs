using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Management;

/// <summary>Runs one <c>concentrator</c> command (a management verb, token add) to completion.</summary>
public static class Cli
{
    public static (int ExitCode, string Stdout, string Stderr) Run(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        // The test's own token never leaks into a run that is meant to have none.
        var run = ExternalCommand.Run("dotnet", [DaemonProcess.ExecutablePath, .. args], environment, timeout: TimeSpan.FromSeconds(30),
            unset: ["CONCENTRATOR_API_TOKEN"]);
        return (run.ExitCode, run.Stdout, run.Stderr);
    }

    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => Run(null, args);
}
