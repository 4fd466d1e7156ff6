using Concentrator.Testing;

namespace Concentrator.Leases.Tests.Support;

/// <summary>Runs a program to its end (<see cref="ExternalCommand"/>) and fails with its output when it fails.</summary>
internal static class Command
{
    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>What it printed on stdout; throws unless it exits 0 within 2 minutes.</summary>
    public static string Run(string program, params string[] arguments) =>
        ExternalCommand.MustRun(program, arguments, timeout: TimeSpan.FromMinutes(2)).Stdout;
}
