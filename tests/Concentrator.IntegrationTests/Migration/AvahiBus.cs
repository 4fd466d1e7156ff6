using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Migration;

/// <summary>
/// A D-Bus system bus of the test's own (dbus-daemon on a socket in a temp directory) with the real avahi-daemon on it,
/// in a network namespace whose loopback carries multicast, so nothing is announced on the machine's own network.
/// Tools given <see cref="Environment"/> (the daemon, avahi-browse) talk to this avahi-daemon.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class AvahiBus : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _dir = new("avahi-bus");
    private readonly string _namespace = $"mdns{Guid.NewGuid():N}"[..12];
    private readonly RunningProcess _bus;
    private RunningProcess? _avahi;

    public AvahiBus()
    {
        var socket = Path.Combine(_dir.FullName, "system_bus_socket");
        var config = Path.Combine(_dir.FullName, "bus.conf");
        File.WriteAllText(config, $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>system</type>
              <listen>unix:path={socket}</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow user="*"/><allow own="*"/><allow send_destination="*"/><allow receive_sender="*"/>
              </policy>
            </busconfig>
            """);
        _bus = RunningProcess.Start("dbus-daemon", ["--config-file=" + config, "--nofork", "--print-address"]);
        _bus.WaitFor("unix:path=", Timeout);
        Environment = new Dictionary<string, string> { ["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=" + socket };
        ExternalCommand.MustRun("ip", ["netns", "add", _namespace]);
        ExternalCommand.MustRun("ip", ["netns", "exec", _namespace, "ip", "link", "set", "lo", "up", "multicast", "on"]);
        File.WriteAllText(Path.Combine(_dir.FullName, "avahi-daemon.conf"), """
            [server]
            use-ipv4=yes
            use-ipv6=no
            allow-interfaces=lo
            enable-dbus=yes
            [publish]
            publish-hinfo=no
            publish-workstation=no
            """);
        StartAvahi();
    }

    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>Starts avahi-daemon (again): announcements made before are gone with the one that stopped.</summary>
    public void StartAvahi()
    {
        _avahi = RunningProcess.Start("ip", ["netns", "exec", _namespace, "avahi-daemon", "-f", Path.Combine(_dir.FullName, "avahi-daemon.conf"),
            "--no-drop-root", "--no-chroot", "--no-rlimits", "--no-proc-title"], Environment);
        _avahi.WaitFor("Server startup complete", Timeout);
    }

    public void StopAvahi()
    {
        _avahi?.Signal(RunningProcess.Sigterm, Timeout);
        _avahi?.Dispose();
        _avahi = null;
    }

    /// <summary>avahi-browse's resolved services of every type, one parsed line each (type, name, port, TXT).</summary>
    public IReadOnlyList<(string Type, string Name, int Port, string Txt)> Browse()
    {
        var result = ExternalCommand.MustRun("avahi-browse", ["--all", "--terminate", "--resolve", "--parsable", "--no-db-lookup"], Environment, timeout: Timeout);
        return [.. result.Stdout.Split('\n')
            .Where(l => l.StartsWith("=;", StringComparison.Ordinal))
            .Select(l => l.Split(';'))
            .Select(f => (f[4], f[3].Replace("\\032", " ", StringComparison.Ordinal), int.Parse(f[8], System.Globalization.CultureInfo.InvariantCulture), f[9]))];
    }

    public void Dispose()
    {
        StopAvahi();
        _bus.Dispose();
        ExternalCommand.Run("ip", ["netns", "delete", _namespace]);
        _dir.Dispose();
    }
}
