using System.Globalization;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Upstream;

/// <summary>
/// OpenIPMI's <c>ipmi_sim</c> as a BMC on 127.0.0.1 (a high UDP port): one admin user whose password is in a file
/// (mode 0600), Serial-over-LAN backed by a pty the test drives, and chassis power handled by a script the test owns
/// (ipmi_sim's <c>chassis_control</c> program), which appends "power 1" / "power 0" to <see cref="PowerLog"/>.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BmcSimulator : IDisposable
{
    public const string User = "admin";
    private readonly TempDirectory _dir;
    private readonly RunningProcess _process;

    private BmcSimulator(TempDirectory dir, VirtualSerialDevice sol, int port, RunningProcess process)
    {
        _dir = dir;
        Sol = sol;
        Port = port;
        _process = process;
    }

    /// <summary>The machine's serial console behind SOL: what the test writes here is what SOL viewers see.</summary>
    public VirtualSerialDevice Sol { get; }

    public int Port { get; }

    public string PasswordFile => Path.Combine(_dir.FullName, "bmc.pw");

    public string PowerLog => Path.Combine(_dir.FullName, "power.log");

    public string[] PowerChanges => File.Exists(PowerLog) ? File.ReadAllLines(PowerLog) : [];

    /// <summary>ipmitool's arguments for this BMC (cipher suite 3: ipmi_sim does not list its suites, and asking costs retries).</summary>
    public IReadOnlyList<string> IpmitoolArgs =>
        ["-I", "lanplus", "-C", "3", "-H", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", User, "-f", PasswordFile];

    public string Output => _process.Output;

    public static BmcSimulator Start()
    {
        var dir = new TempDirectory("bmc");
        VirtualSerialDevice? sol = null;
        try
        {
            sol = VirtualSerialDevice.CreateTemp("bmc-sol");
            var port = FreeTcpPort.Next(); // free for TCP right now; UDP on loopback is as good as always free there too
            var state = Directory.CreateDirectory(Path.Combine(dir.FullName, "state")).FullName;
            var password = Path.Combine(dir.FullName, "bmc.pw");
            File.WriteAllText(password, "s3cret-" + Guid.NewGuid().ToString("N")[..8]);
            File.SetUnixFileMode(password, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var powerLog = Path.Combine(dir.FullName, "power.log");
            var chassis = Path.Combine(dir.FullName, "chassis.sh");
            // ipmi_sim runs "PROGRAM ARGS get power" (expects "power:0|1") and "PROGRAM ARGS set power "1"".
            File.WriteAllText(chassis, $"#!/bin/sh\nstate='{dir.FullName}/power.state'\nshift\ncase \"$1\" in\n" +
                "  get) echo \"power:$(cat \"$state\" 2>/dev/null || echo 0)\" ;;\n" +
                $"  set) [ \"$2\" = power ] && echo \"$3\" > \"$state\" && echo \"power $3\" >> '{powerLog}' ;;\n  *) exit 1 ;;\nesac\n");
            File.SetUnixFileMode(chassis, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var lan = Path.Combine(dir.FullName, "lan.conf");
            File.WriteAllText(lan, string.Join('\n',
                "name \"concentrator-test\"",
                "set_working_mc 0x20",
                "  startlan 1",
                $"    addr 127.0.0.1 {port}",
                "    priv_limit admin",
                "    allowed_auths_callback md5",
                "    allowed_auths_user md5",
                "    allowed_auths_operator md5",
                "    allowed_auths_admin md5",
                "    guid 0123456789abcdef0123456789abcdef",
                "  endlan",
                $"  sol \"{sol.SlavePath}\" 115200",
                $"  chassis_control \"{chassis} 0x20\"",
                $"  user 2 true \"{User}\" \"{File.ReadAllText(password)}\" admin 10 md5",
                ""));
            var emu = Path.Combine(dir.FullName, "bmc.emu");
            File.WriteAllText(emu, "mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02\nmc_enable 0x20\n");
            var process = RunningProcess.Start("ipmi_sim", ["-c", lan, "-f", emu, "-s", state, "-n"]);
            var bmc = new BmcSimulator(dir, sol, port, process);
            try
            {
                Eventually.True(() => ExternalCommand.Run("ipmitool", [.. bmc.IpmitoolArgs, "chassis", "power", "status"],
                    timeout: TimeSpan.FromSeconds(10)).ExitCode == 0 || process.HasExited, TimeSpan.FromSeconds(30),
                    () => $"ipmi_sim did not answer on {port}: {process.Output}");
                Assert.False(process.HasExited, process.Output);
                return bmc;
            }
            catch
            {
                bmc.Dispose();
                throw;
            }
        }
        catch
        {
            sol?.Dispose();
            dir.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _process.Dispose();
        Sol.Dispose();
        _dir.Dispose();
    }
}
