using Concentrator.Hosting;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Security;

namespace Concentrator.Commands;

/// <summary>What <c>ssh-keys</c> and <c>ssh-config</c> share: the daemon's config and how to start this very program.</summary>
internal static class SshFrontDoor
{
    public const string DefaultConfig = "/etc/concentrator/concentrator.conf";

    /// <summary>The daemon's security settings from <paramref name="configPath"/>, or null with the errors written to stderr.</summary>
    public static SecuritySettings? LoadSecurity(string configPath, string command)
    {
        var result = ConfigLoader.LoadFile(Path.GetFullPath(configPath), FeatureSections.All);
        if (!result.IsValid)
        {
            foreach (var error in result.Errors)
            {
                Console.Error.WriteLine($"concentrator {command}: config error: {error}");
            }

            return null;
        }

        return result.Settings!.SecurityOrDefault;
    }

    /// <summary>The words that start this program again: its own executable, or dotnet and the dll when run that way.</summary>
    public static IReadOnlyList<string> SelfCommand()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("the process has no path");
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? [process, typeof(SshFrontDoor).Assembly.Location]
            : [process];
    }
}
