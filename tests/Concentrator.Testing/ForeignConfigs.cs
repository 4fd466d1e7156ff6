namespace Concentrator.Testing;

/// <summary>
/// The example configs other console servers ship (conserver-server's conserver.cf samples, conman's conman.conf), as
/// the test command unpacked them from Debian's packages into CONCENTRATOR_FOREIGN_CONFIGS.
/// </summary>
public static class ForeignConfigs
{
    public static string Root =>
        Environment.GetEnvironmentVariable("CONCENTRATOR_FOREIGN_CONFIGS") is { Length: > 0 } root
            ? root
            : System.IO.Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } cache
                ? cache
                : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
                "concentrator-tests", "foreign-configs");

    /// <summary>The text of a shipped file, e.g. <c>etc/conman.conf</c>; a clear failure when the test command has not unpacked it.</summary>
    public static string Read(string relative)
    {
        var path = System.IO.Path.Combine(Root, relative);
        return File.Exists(path)
            ? File.ReadAllText(path)
            : throw new FileNotFoundException($"{path} is missing: ./tools/test.sh unpacks Debian's conserver-server and conman packages there", path);
    }
}
