using Concentrator.Ports.Configuration;

namespace Concentrator.Ports.Tests.Configuration;

public sealed class StateDirectoryTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Systemd_state_directory_first_then_xdg_then_home_never_the_current_directory()
    {
        Assert.Equal("/var/lib/concentrator", StateDirectory.Resolve(Env(("STATE_DIRECTORY", "/var/lib/concentrator:/var/lib/other"),
            ("XDG_STATE_HOME", "/x"), ("HOME", "/home/u"))));
        Assert.Equal("/x/concentrator", StateDirectory.Resolve(Env(("XDG_STATE_HOME", "/x"), ("HOME", "/home/u"))));
        Assert.Equal("/home/u/.local/state/concentrator", StateDirectory.Resolve(Env(("XDG_STATE_HOME", "relative"), ("HOME", "/home/u"))));
    }

    [Fact]
    public void A_missing_state_directory_is_created_owner_only()
    {
        var root = Directory.CreateTempSubdirectory("state");
        try
        {
            var dir = Path.Combine(root.FullName, "a", "concentrator");
            StateDirectory.Ensure(dir);
            Assert.True(Directory.Exists(dir));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));
            }
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
