using Concentrator.Testing;

namespace Concentrator.IntegrationTests;

/// <summary>USB adapters that vanish and come back at the same path, with sessions connected.</summary>
public sealed class UnplugReplugTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private (VirtualSerialDevice Device, DaemonProcess Daemon) Serve(string listeners, string extra = "")
    {
        var device = Track(VirtualSerialDevice.CreateTemp("usb"));
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.usb {
              device = "{{device.LinkPath}}"
              listeners = [ {{listeners}} ]
              {{extra}}
            }
            """));
        daemon.WaitOnline("usb");
        return (device, daemon);
    }

    private static int Count(string pattern, string text) => System.Text.RegularExpressions.Regex.Matches(text, pattern).Count;

    [Fact]
    public void Sessions_keep_their_connection_through_an_unplug_and_data_flows_after_replug()
    {
        int raw = FreeTcpPort.Next(), telnet = FreeTcpPort.Next();
        // A long backoff: only the path watch can explain a quick reopen.
        var (device, daemon) = Serve($"{{ port = {raw}, protocol = raw }}, {{ port = {telnet}, protocol = telnet }}",
            "reopen { min-backoff = 5s, max-backoff = 10s }");
        var client = Track(TcpClientSession.Connect(raw));
        var person = Track(TcpClientSession.Connect(telnet));
        daemon.WaitFor("session 2 on port usb: .* connected");

        device.Unplug();
        daemon.WaitFor("port usb: offline");
        person.ReadUntil("port usb offline", Timeout);
        // Typed while the device is away: discarded and said so (the notice proves the daemon has taken it,
        // so it cannot reach the device late, after the replug).
        person.Send("me too\n");
        person.ReadUntil("the device is offline: your input is discarded", Timeout);

        device.Replug();
        // Within 3 s, well before the 5 s backoff could retry: only the path watch reopens this fast.
        daemon.WaitFor("port usb: online(.|\\n)*port usb: online", TimeSpan.FromSeconds(3));
        person.ReadUntil("port usb online", Timeout);

        device.Write("login: ");
        // The raw session never saw a notice (offline, online): it stays byte-clean.
        Assert.Equal("login: ", client.ReadUntil("login: ", Timeout));
        client.Send("root\n");
        Assert.Equal("root\n"u8.ToArray(), device.ReadExactly(5, Timeout)); // nothing typed while away comes out before it
        // Nor after it: the person who typed while away types again, and that is exactly what the device gets next.
        person.Send("sentinel|");
        Assert.Equal("sentinel|", device.ReadUntil("|", Timeout));

        // Nor does the raw session get a notice later: the device's next output is exactly the next thing it reads.
        device.Write("sentinel|");
        Assert.Equal("sentinel|", client.ReadUntil("|", Timeout));
    }

    [Fact]
    public async Task The_baud_rate_a_pyserial_client_set_is_in_effect_again_after_replug()
    {
        var tcp = FreeTcpPort.Next();
        var (device, daemon) = Serve($"{{ port = {tcp}, protocol = rfc2217 }}", "baud = 9600");
        await using var py = PySerial.Start();
        await py.OpenAsync(tcp, 9600);
        await py.SetAsync("baudrate", 57600);
        Assert.Equal(57600, device.GetTermios().BaudRate);

        device.Unplug();
        daemon.WaitFor("port usb: offline");
        device.Replug();
        daemon.WaitFor("port usb: online(.|\\n)*port usb: online");
        Assert.Equal(57600, device.GetTermios().BaudRate);

        device.Write("after replug\n");
        Assert.Equal("after replug\n"u8.ToArray(), await py.ReadAsync(13, 5));
    }

    [Fact]
    public void Two_hundred_unplug_replug_cycles_leave_descriptors_and_threads_flat()
    {
        var tcp = FreeTcpPort.Next();
        var (device, daemon) = Serve($"{{ port = {tcp}, protocol = raw }}", "reopen { min-backoff = 20ms, max-backoff = 100ms }");
        var client = Track(TcpClientSession.Connect(tcp));
        daemon.WaitFor("session 1 on port usb: .* connected");

        void Cycle(int n)
        {
            for (var i = 0; i < n; i++)
            {
                var onlineBefore = Count("port usb: online", daemon.Output);
                device.Unplug();
                device.Replug();
                Eventually.True(() => Count("port usb: online", daemon.Output) > onlineBefore, Timeout,
                    () => $"cycle {i}: the port did not come back online:\n{daemon.Output}", poll: TimeSpan.FromMilliseconds(5));
            }
        }

        Cycle(20); // warm up: thread pool, JIT, timers
        var (fds, threads) = Resources(daemon.ProcessId);
        Cycle(180);
        var (fdsAfter, threadsAfter) = Resources(daemon.ProcessId);

        Assert.InRange(fdsAfter, 0, fds + 4);
        Assert.InRange(threadsAfter, 0, threads + 4);

        device.Write("still here\n");
        Assert.Equal("still here\n", client.ReadUntil("still here\n", Timeout));
    }

    private static (int Fds, int Threads) Resources(int pid) =>
        (Directory.GetFiles($"/proc/{pid}/fd").Length, Directory.GetDirectories($"/proc/{pid}/task").Length);

    [Fact]
    public void An_offline_port_costs_no_cpu()
    {
        var tcp = FreeTcpPort.Next();
        // In a directory of its own, like /dev/serial/by-id: the path watch must not see other tests' files in /tmp.
        var dir = Track(new TempDirectory("by-id"));
        var device = Track(VirtualSerialDevice.Create(Path.Combine(dir.FullName, "usb-quiet")));
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.usb { device = "{{device.LinkPath}}", listeners = [ { port = {{tcp}}, protocol = raw } ] }
            """));
        daemon.WaitOnline("usb");
        device.Unplug();
        daemon.WaitFor("port usb: offline");
        WaitQuiet(daemon.ProcessId); // not measured: start-up and going offline (JIT, log lines, notices)

        var before = CpuTicks(daemon.ProcessId);
        Thread.Sleep(3000); // the behaviour under test: three seconds offline
        var used = CpuTicks(daemon.ProcessId) - before;
        // Clock ticks are 10 ms: a retry loop spinning would burn hundreds; the backoff timer a handful at most.
        Assert.InRange(used, 0, 30);
    }

    /// <summary>
    /// Waits (up to <see cref="Timeout"/>) for a quarter second in which the process used at most 20 ms of CPU. A
    /// process that never gets there (a spinning retry loop) is left to fail the measurement that follows.
    /// </summary>
    private static void WaitQuiet(int pid)
    {
        var deadline = DateTime.UtcNow + Timeout;
        var last = CpuTicks(pid);
        while (DateTime.UtcNow < deadline)
        {
            Thread.Sleep(250); // the measurement window: a quarter second of the process's CPU time
            var now = CpuTicks(pid);
            if (now - last <= 2)
            {
                return;
            }

            last = now;
        }
    }

    private static long CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) +
               long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
    }
}
