namespace Concentrator.Ports.Configuration;

/// <summary>
/// Where the daemon keeps its state (the default lease database): systemd's <c>StateDirectory=</c>
/// (<c>$STATE_DIRECTORY</c>), else <c>$XDG_STATE_HOME/concentrator</c>, else <c>~/.local/state/concentrator</c>; never the
/// current directory. Created owner-only (0700) by whoever first writes there.
/// </summary>
public static class StateDirectory
{
    public static string Resolve(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (environment("STATE_DIRECTORY") is { Length: > 0 } systemd)
        {
            return systemd.Split(':')[0]; // systemd lists several when the unit names several
        }

        if (environment("XDG_STATE_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "concentrator");
        }

        var home = environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".local", "state", "concentrator");
    }

    /// <summary>Creates <paramref name="directory"/> with mode 0700 where it is missing (its parents as usual).</summary>
    public static void Ensure(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(directory) ?? directory);
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
