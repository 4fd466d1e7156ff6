using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests;

/// <summary>
/// What ships for running the daemon as a service: packaging/install.sh, the systemd unit, the sample config and
/// docker-compose.yml. Checked with the tools that read them (systemd-analyze, Debian's docker-compose), not with a
/// running systemd or Docker daemon, which this machine does not have.
/// </summary>
public sealed partial class PackagingTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    internal static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Concentrator.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("no Concentrator.sln above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The daemon's own build output (framework-dependent), standing in for a published build.</summary>
    private static string DaemonBuild
    {
        get
        {
            // .../tests/Concentrator.IntegrationTests/bin/<Configuration>/net10.0/
            var tfm = new DirectoryInfo(AppContext.BaseDirectory);
            var configuration = tfm.Parent!.Name;
            return Path.Combine(RepoRoot, "src", "Concentrator", "bin", configuration, tfm.Name);
        }
    }

    [Fact]
    public void Install_script_puts_the_build_where_the_unit_runs_it_with_a_config_that_checks()
    {
        var root = Track(new TempDirectory("concentrator-install-")).FullName;

        var (code, output) = Run("bash", [Path.Combine(RepoRoot, "packaging", "install.sh"), DaemonBuild], new() { ["DESTDIR"] = root });

        Assert.True(code == 0, output);
        Assert.Contains("config OK", output, StringComparison.Ordinal); // the installed sample config, checked by the installed build
        Assert.True(File.Exists(Path.Combine(root, "opt/concentrator/concentrator")));
        Assert.Equal("/opt/concentrator/concentrator", new FileInfo(Path.Combine(root, "usr/local/bin/concentrator")).LinkTarget);
        var unit = File.ReadAllText(Path.Combine(root, "etc/systemd/system/concentrator.service"));
        Assert.Contains("ExecStart=/opt/concentrator/concentrator serve --config /etc/concentrator/concentrator.conf", unit, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(root, "etc/modules-load.d/concentrator.conf")));

        // A second run keeps the administrator's config.
        File.AppendAllText(Path.Combine(root, "etc/concentrator/concentrator.conf"), "# edited\n");
        (code, output) = Run("bash", [Path.Combine(RepoRoot, "packaging", "install.sh"), DaemonBuild], new() { ["DESTDIR"] = root });
        Assert.True(code == 0, output);
        Assert.EndsWith("# edited\n", File.ReadAllText(Path.Combine(root, "etc/concentrator/concentrator.conf")), StringComparison.Ordinal);

        // systemd's own parser accepts every line of the unit (it only warns, with exit 0, about an unknown key, so
        // the output must be empty too), with ExecStart pointing at the installed build.
        var verifiable = Path.Combine(root, "concentrator.service");
        File.WriteAllText(verifiable, unit.Replace("/opt/concentrator/", root + "/opt/concentrator/", StringComparison.Ordinal));
        (code, output) = Run("systemd-analyze", ["verify", verifiable], []);
        Assert.True(code == 0 && output.Trim().Length == 0, output);
    }

    [Fact]
    public void The_unit_is_hardened()
    {
        var (code, output) = Run("systemd-analyze",
            ["security", "--offline=true", Path.Combine(RepoRoot, "packaging", "systemd", "concentrator.service")], []);

        Assert.True(code == 0, output);
        // systemd's exposure score, 0 (locked down) to 10 (unprotected); the unit scores 1.6 ("OK"). A network
        // server that must reach serial devices cannot get much lower; a change that loosens it fails here.
        var score = double.Parse(ExposureScore().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(score <= 2.0, output);
    }

    [Fact]
    public void Compose_file_is_valid()
    {
        var (code, output) = Run("docker-compose", ["-f", Path.Combine(RepoRoot, "docker-compose.yml"), "config", "-q"], []);

        Assert.True(code == 0, output);
    }

    private static (int Code, string Output) Run(string program, string[] args, Dictionary<string, string> environment)
    {
        var run = ExternalCommand.Run(program, args, environment, workingDirectory: RepoRoot, timeout: Timeout);
        return (run.ExitCode, run.Output);
    }

    [GeneratedRegex(@"Overall exposure level for concentrator\.service: (\d+\.\d+)")]
    private static partial Regex ExposureScore();
}
