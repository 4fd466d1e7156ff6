using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Concentrator.IntegrationTests.Management;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests;

/// <summary>Many sessions on one console: monitors, write arbitration, slow consumers, replay, limits, logs.</summary>
public sealed class SharingTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private (VirtualSerialDevice Device, DaemonProcess Daemon) Serve(string portBody)
    {
        var device = Track(VirtualSerialDevice.CreateTemp("share"));
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.con {
              device = "{{device.LinkPath}}"
              {{portBody}}
            }
            """));
        daemon.WaitOnline("con");
        return (device, daemon);
    }

    private TcpClientSession Connect(DaemonProcess daemon, int tcp, int sessionId)
    {
        var client = Track(TcpClientSession.Connect(tcp));
        daemon.WaitFor($"session {sessionId} on port con: .* connected");
        return client;
    }

    [Fact]
    public async Task A_backpressure_session_that_stops_reading_pauses_the_device_and_loses_no_byte()
    {
        int tcp = FreeTcpPort.Next(), ro = FreeTcpPort.Next();
        var (device, daemon) = Serve($$"""
            listeners = [
              { port = {{tcp}}, protocol = raw, output-queue = 64KiB, overflow = backpressure }
              { port = {{ro}}, protocol = raw, access = read-only, output-queue = 64KiB }
            ]
            """);
        var firmware = Track(TcpClientSession.Connect(tcp));
        daemon.WaitFor("session 1 on port con: .* connected");
        var monitor = Connect(daemon, ro, 2);

        // 16 MiB (more than the kernel's socket buffers hold, 256 times the session's queue) while it reads nothing
        // for a second: drop-oldest would lose most of it, disconnect would cut it off; backpressure holds the device.
        var image = new byte[16 << 20];
        new Random(42).NextBytes(image);
        var machine = Task.Run(() => device.Write(image));
        await Task.Delay(1000); // the behaviour under test: a client that does not read for a while
        Assert.False(machine.IsCompleted, "the device was not held back while the session was behind");

        Assert.Equal(image, firmware.ReadExactly(image.Length, Timeout));
        await machine.WaitAsync(Timeout);
        Assert.True(monitor.Socket.Connected); // the monitor waited with everyone, and was not cut off
    }

    [Fact]
    public void A_read_only_monitor_sees_the_output_and_its_typing_never_reaches_the_device()
    {
        int rw = FreeTcpPort.Next(), ro = FreeTcpPort.Next();
        var (device, daemon) = Serve($"listeners = [ {{ port = {rw}, protocol = raw }}, {{ port = {ro}, protocol = raw, access = read-only }} ]");
        var writer = Connect(daemon, rw, 1);
        var monitor = Connect(daemon, ro, 2);
        var api = Track(new ApiHttp(daemon.ApiUrl));

        monitor.Send("reboot\n");
        SessionInput.WaitHandled(api, "con", monitor, sent: 7);
        writer.Send("uptime\n");
        // The sentinel: the device's next bytes are the writer's, so what the monitor typed before never reached it.
        Assert.Equal("uptime\n"u8.ToArray(), device.ReadExactly(7, Timeout));

        device.Write("up 3 days\n");
        Assert.Equal("up 3 days\n", monitor.ReadUntil("up 3 days\n", Timeout));
        Assert.Equal("up 3 days\n", writer.ReadUntil("up 3 days\n", Timeout));
    }

    [Fact]
    public void Exclusive_lets_only_the_lock_holder_write_and_promotes_the_next_waiting_session()
    {
        var tcp = FreeTcpPort.Next();
        var (device, daemon) = Serve($"write-policy = exclusive\nlisteners = [ {{ port = {tcp}, protocol = telnet, replay = off }} ]");
        var first = Connect(daemon, tcp, 1);
        var second = Connect(daemon, tcp, 2);
        var third = Connect(daemon, tcp, 3);
        second.ReadUntil("waiting for the write lock, held by session 1", Timeout);

        second.Send("second\n");
        second.ReadUntil("read-only: your input is not sent", Timeout); // said as its session dropped the input
        first.Send("first\n");
        // The sentinel: the device's next bytes are the holder's, sent after that notice; "second" never came before them.
        Assert.Equal("first\n"u8.ToArray(), device.ReadExactly(6, Timeout));

        first.Dispose();
        second.ReadUntil("you can write", Timeout);
        second.Send("now me\n");
        Assert.Equal("now me\n"u8.ToArray(), device.ReadExactly(7, Timeout));
        third.Send("third\n");
        third.ReadUntil("read-only: your input is not sent", Timeout);
        second.Send("|");
        Assert.Equal("|"u8.ToArray(), device.ReadExactly(1, Timeout)); // the sentinel, and nothing of "third" before it
    }

    [Fact]
    public void Escape_commands_force_the_lock_list_sessions_and_replay()
    {
        var tcp = FreeTcpPort.Next();
        var (device, daemon) = Serve($"write-policy = exclusive\nlisteners = [ {{ port = {tcp}, protocol = telnet }} ]");
        device.Write("boot banner v1\n");
        var holder = Connect(daemon, tcp, 1);
        var taker = Connect(daemon, tcp, 2);
        taker.ReadUntil("boot banner v1", Timeout); // replay on connect (telnet listeners replay by default)

        taker.Send("\u0005cw");
        var who = taker.ReadUntil("session 2", Timeout);
        Assert.Contains("session 1", who, StringComparison.Ordinal);

        taker.Send("\u0005cf");
        taker.ReadUntil("you can write", Timeout);
        holder.ReadUntil("session 2 forced the write lock", Timeout);
        taker.Send("mine\n");
        Assert.Equal("mine\n"u8.ToArray(), device.ReadExactly(5, Timeout));

        taker.Send("\u0005cr");
        taker.ReadUntil("boot banner v1", Timeout);

        taker.Send("\u0005c.");
        Assert.True(taker.WaitClosed(Timeout));
    }

    [Fact]
    public async Task A_client_that_never_reads_neither_slows_the_others_nor_grows_memory()
    {
        int rw = FreeTcpPort.Next(), ro = FreeTcpPort.Next();
        var (device, daemon) = Serve($$"""
            listeners = [
              { port = {{rw}}, protocol = raw, output-queue = 32MiB }
              { port = {{ro}}, protocol = raw, access = read-only, replay = off, output-queue = 256KiB }
            ]
            """);
        var reader = Connect(daemon, rw, 1);
        var stalled = Connect(daemon, ro, 2);
        stalled.Socket.ReceiveBufferSize = 4096; // and never reads
        var rssBefore = RssKiB(daemon.ProcessId);

        const int total = 64 * 1024 * 1024;
        var chunk = new byte[64 * 1024];
        new Random(7).NextBytes(chunk);
        var received = Task.Run(() =>
        {
            var buffer = new byte[256 * 1024];
            long got = 0;
            reader.Socket.ReceiveTimeout = (int)Timeout.TotalMilliseconds;
            while (got < total)
            {
                var n = reader.Socket.Receive(buffer);
                Assert.NotEqual(0, n);
                got += n;
            }

            return got;
        });

        for (var sent = 0; sent < total; sent += chunk.Length)
        {
            device.Write(chunk);
        }

        Assert.Equal(total, await received.WaitAsync(Timeout));
        var rssAfter = RssKiB(daemon.ProcessId);
        Assert.True(rssAfter - rssBefore < 100 * 1024, $"daemon RSS grew from {rssBefore} KiB to {rssAfter} KiB");
        Assert.False(daemon.HasExited);
        Assert.DoesNotMatch("session 2 on port con: .* disconnected", daemon.Output); // still connected: drop-oldest, not disconnect
    }

    /// <summary>All log files' text, in no particular order; a file rotated away while reading counts as empty.</summary>
    private static string LogText(string dir) => string.Concat(Directory.GetFiles(dir).Select(f =>
    {
        try
        {
            return File.ReadAllText(f);
        }
        catch (FileNotFoundException)
        {
            return "";
        }
    }));

    private static long RssKiB(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void A_session_connecting_after_the_boot_banner_gets_it_through_replay()
    {
        int telnet = FreeTcpPort.Next(), raw = FreeTcpPort.Next();
        var log = Path.Combine(Track(new TempDirectory("replay")).FullName, "con.log");
        var (device, daemon) = Serve($$"""
            scrollback = 1KiB
            log { file = "{{log}}", timestamps = off }
            listeners = [ { port = {{telnet}}, protocol = telnet }, { port = {{raw}}, protocol = raw } ]
            """);
        device.Write("U-Boot 2024.01\nDRAM: 512 MiB\n");
        // Before anyone connects, the banner reaches the port, which puts it in the scrollback and the console log.
        Eventually.True(() => File.Exists(log) && File.ReadAllText(log).Contains("DRAM: 512 MiB\n", StringComparison.Ordinal),
            Timeout, () => "the banner never reached the port");

        var late = Connect(daemon, telnet, 1);
        Assert.Contains("DRAM: 512 MiB", late.ReadUntil("DRAM: 512 MiB", Timeout), StringComparison.Ordinal);

        // A read-write raw session (a flashing tool) never sees stale bytes.
        var flasher = Connect(daemon, raw, 2);
        device.Write("fresh\n");
        Assert.Equal("fresh\n", flasher.ReadUntil("\n", Timeout));
    }

    [Fact]
    public async Task A_replay_session_joining_while_the_device_prints_gets_every_byte_once_and_in_order()
    {
        int tcp = FreeTcpPort.Next();
        var (device, daemon) = Serve($"scrollback = 4MiB\nlisteners = [ {{ port = {tcp}, protocol = raw, replay = on, output-queue = 8MiB }} ]");
        // Numbered lines: a chunk lost or shown twice where the replay meets live output would break the sequence.
        var stream = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 400_000).Select(i => $"{i:D7}\n")));
        var written = 0;
        using var joined = new ManualResetEventSlim();
        var machine = Task.Run(() =>
        {
            for (var at = 0; at < stream.Length; at += 4096)
            {
                if (at >= stream.Length * 9 / 10 && !joined.Wait(Timeout))
                {
                    return; // the last tenth is printed live, whatever the session's connect took
                }

                device.Write(stream.AsSpan(at, Math.Min(4096, stream.Length - at)));
                Volatile.Write(ref written, at);
                Thread.Sleep(1); // a console printing over time, so the session joins mid-stream
            }
        });
        Eventually.True(() => Volatile.Read(ref written) > stream.Length / 4, Timeout, () => "the machine never started printing");

        var late = Connect(daemon, tcp, 1);
        joined.Set();
        Assert.Equal(Encoding.ASCII.GetString(stream), Encoding.ASCII.GetString(late.ReadExactly(stream.Length, Timeout)));
        await machine.WaitAsync(Timeout);
    }

    [Fact]
    public void Max_sessions_refuses_with_one_line_and_kick_old_makes_room()
    {
        int busy = FreeTcpPort.Next();
        var (busyDevice, daemon) = Serve($"max-sessions = 1\nlisteners = [ {{ port = {busy}, protocol = raw }} ]");
        var first = Connect(daemon, busy, 1);
        using var refused = TcpClientSession.Connect(busy);
        Assert.Contains("port con is busy", refused.ReadUntil("\n", Timeout), StringComparison.Ordinal);
        Assert.True(refused.WaitClosed(Timeout));
        // The sentinel: the first session, after the refusal, still carries bytes both ways (it was not closed).
        first.Send("still there?|");
        Assert.Equal("still there?|", busyDevice.ReadUntil("|", Timeout));
        busyDevice.Write("yes|");
        Assert.Equal("yes|", first.ReadUntil("|", Timeout));
        daemon.Dispose();

        int kick = FreeTcpPort.Next();
        var (device, kicker) = Serve($"max-sessions = 1\nkick-old = on\nlisteners = [ {{ port = {kick}, protocol = raw }} ]");
        var old = Connect(kicker, kick, 1);
        var fresh = Connect(kicker, kick, 2);
        Assert.True(old.WaitClosed(Timeout));
        fresh.Send("hi\n");
        Assert.Equal("hi\n"u8.ToArray(), device.ReadExactly(3, Timeout));
    }

    [Fact]
    public void Under_kick_old_a_read_only_newcomer_closes_the_oldest_monitor_never_the_writer()
    {
        int rw = FreeTcpPort.Next(), ro = FreeTcpPort.Next();
        var (device, daemon) = Serve($"max-sessions = 2\nkick-old = on\nlisteners = [ {{ port = {rw}, protocol = raw }}, {{ port = {ro}, protocol = raw, access = read-only }} ]");
        var writer = Connect(daemon, rw, 1);
        var monitor = Connect(daemon, ro, 2);
        Connect(daemon, ro, 3); // a third, read-only: makes room by closing session 2, the oldest session that cannot write
        Assert.True(monitor.WaitClosed(Timeout));
        daemon.WaitFor("closing session 2, the oldest that may not write");

        writer.Send("still here|"); // the writer (session 1, the oldest of all) kept its connection and its right
        Assert.Equal("still here|", device.ReadUntil("|", Timeout));
        Assert.DoesNotContain("closing session 1", daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Idle_sessions_are_closed_after_the_idle_timeout()
    {
        var tcp = FreeTcpPort.Next();
        var (_, daemon) = Serve($"idle-timeout = 1s\nlisteners = [ {{ port = {tcp}, protocol = telnet }} ]");
        var idle = Connect(daemon, tcp, 1);
        var watch = Stopwatch.StartNew();
        Assert.True(idle.WaitClosed(Timeout));
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(10));
        Assert.Contains("idle for 1 s", idle.PendingText, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes
    public void The_console_log_holds_the_device_output_with_timestamps_across_rotation()
    {
        var dir = Directory.CreateTempSubdirectory("conlog");
        try
        {
            var log = Path.Combine(dir.FullName, "con.log");
            var tcp = FreeTcpPort.Next();
            var (device, daemon) = Serve($$"""
                log { file = "{{log}}", timestamps = on, max-size = 4KiB, keep = 20 }
                listeners = [ { port = {{tcp}}, protocol = raw } ]
                """);
            var expected = new StringBuilder();
            for (var i = 0; i < 200; i++)
            {
                var line = $"line {i:000} of the boot log\n";
                expected.Append(line);
                device.Write(line); // nobody is connected: the log still gets every byte
            }

            // The port has taken all of it (the log has the last line) before the session marks go in.
            Eventually.True(() => LogText(dir.FullName).Contains("line 199 of the boot log\n", StringComparison.Ordinal),
                Timeout, () => "the console log never got the last line");

            var client = Connect(daemon, tcp, 1);
            client.Dispose();
            daemon.WaitFor("session 1 on port con: .* disconnected");
            Assert.Equal(0, daemon.Terminate());

            var files = Directory.GetFiles(dir.FullName).OrderByDescending(f => f.Length > log.Length ? int.Parse(f[(log.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture) : 0);
            var text = string.Concat(files.Select(File.ReadAllText));
            Assert.True(Directory.GetFiles(dir.FullName).Length > 2, "the log should have rotated");
            Assert.All(Directory.GetFiles(dir.FullName), f => Assert.Equal( // 0640 whatever the umask: consoles show passwords
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(f)));
            var deviceLines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("[concentrator", StringComparison.Ordinal)).ToList();
            Assert.All(deviceLines, l => Assert.Matches(@"^\d{4}-\d\d-\d\dT[\d:.]+Z line \d{3} of the boot log$", l));
            Assert.Equal(expected.ToString(), string.Concat(deviceLines.Select(l => l[(l.IndexOf(' ', StringComparison.Ordinal) + 1)..] + "\n")));
            Assert.Contains("session 1 connected from 127.0.0.1", text, StringComparison.Ordinal);
            Assert.Contains("session 1 from 127.0.0.1", text, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
