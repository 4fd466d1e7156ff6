using System.Reflection;

namespace Concentrator.Testing;

/// <summary>Where the tests find our own <c>concentrator.dll</c> to run with <c>dotnet</c>.</summary>
public static class ConcentratorExecutable
{
    /// <summary>
    /// Where a loaded test assembly's <c>[AssemblyMetadata("ConcentratorDll", PATH)]</c> says (a project that builds
    /// the daemon without taking its assemblies, as the web tests do), or else beside the test assembly (a project
    /// that references the daemon's project).
    /// </summary>
    public static string Path { get; } = Find();

    private static string Find() =>
        AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => !a.IsDynamic)
            .SelectMany(a => a.GetCustomAttributes<AssemblyMetadataAttribute>())
            .FirstOrDefault(a => a.Key == "ConcentratorDll")?.Value
        ?? System.IO.Path.Combine(AppContext.BaseDirectory, "concentrator.dll");
}
