using System.Diagnostics;
using Concentrator.Devices;
using Concentrator.Devices.Posix;
using Concentrator.Testing;

namespace Concentrator.Devices.Tests;

public sealed class PosixSerialDeviceTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly VirtualSerialDevice _machine = VirtualSerialDevice.CreateTemp("posix");

    public void Dispose() => _machine.Dispose();

    [Fact]
    public void Opens_the_link_and_reports_the_kernel_node()
    {
        using var dev = PosixSerialDevice.Open(_machine.LinkPath);
        Assert.Equal(_machine.LinkPath, dev.Path);
        Assert.Equal(_machine.SlavePath, dev.KernelNode);
        Assert.StartsWith("/dev/pts/", dev.KernelNode, StringComparison.Ordinal);
        Assert.True(_machine.GetTermios().IsRaw);
    }

    [Theory]
    [InlineData(57600, 7, Parity.Even, StopBits.Two, FlowControl.RtsCts)]
    [InlineData(9600, 8, Parity.Mark, StopBits.One, FlowControl.None)]
    [InlineData(19200, 8, Parity.Space, StopBits.One, FlowControl.XonXoff)]
    [InlineData(250000, 8, Parity.None, StopBits.One, FlowControl.None)]
    [InlineData(1000000, 6, Parity.Odd, StopBits.One, FlowControl.None)]
    [InlineData(115200, 5, Parity.None, StopBits.Two, FlowControl.None)]
    public void Apply_reaches_the_kernel_and_reports_what_is_in_effect(
        int baud, int dataBits, Parity parity, StopBits stopBits, FlowControl flow)
    {
        using var dev = PosixSerialDevice.Open(_machine.LinkPath);
        var wanted = new LineSettings(baud, dataBits, parity, stopBits, flow);

        var inEffect = dev.Apply(wanted);

        // Linux 6.x ptys force 8 data bits and no parity; then Apply must honestly report 8N.
        var expected = VirtualSerialDevice.PtyForcesEightBitsNoParity
            ? wanted with { DataBits = 8, Parity = Parity.None }
            : wanted;
        Assert.Equal(expected, inEffect);
        var kernel = _machine.GetTermios();
        Assert.Equal(expected, kernel.ToLineSettings());
        Assert.True(kernel.IsRaw, kernel.ToString());
    }

    [Theory]
    [InlineData(9600, 0xDu)]
    [InlineData(115200, 0x1002u)]
    [InlineData(250000, 0x1000u)] // not a standard rate: BOTHER plus the speed fields
    public void Standard_rates_use_their_classic_code_so_stty_and_tcgetattr_see_them(int baud, uint code)
    {
        using var dev = PosixSerialDevice.Open(_machine.LinkPath);
        dev.Apply(LineSettings.Default with { BaudRate = baud });

        var kernel = _machine.GetTermios();
        Assert.Equal(code, kernel.ControlFlags & 0x100Fu);          // CBAUD: what tcgetattr/cfgetospeed read
        Assert.Equal(code, (kernel.ControlFlags >> 16) & 0x100Fu);  // CIBAUD: the input speed
        Assert.Equal(baud, kernel.BaudRate);

        // stty reads the classic termios: it shows standard rates (and "0" for BOTHER ones, which it cannot express).
        var stty = Process.Start(new ProcessStartInfo("stty", ["-F", _machine.SlavePath, "speed"]) { RedirectStandardOutput = true })!;
        var printed = stty.StandardOutput.ReadToEnd().Trim();
        stty.WaitForExit();
        Assert.Equal(code == 0x1000u ? "0" : baud.ToString(System.Globalization.CultureInfo.InvariantCulture), printed);
    }

    [Fact]
    public void One_and_a_half_stop_bits_are_applied_and_reported_as_two()
    {
        using var dev = PosixSerialDevice.Open(_machine.LinkPath);
        var inEffect = dev.Apply(new LineSettings(9600, 5, Parity.None, StopBits.OnePointFive, FlowControl.None));
        Assert.Equal(StopBits.Two, inEffect.StopBits);
        Assert.Equal(StopBits.Two, _machine.GetTermios().StopBits);
    }

    [Fact]
    public void Apply_rejects_impossible_settings()
    {
        using var dev = PosixSerialDevice.Open(_machine.LinkPath);
        Assert.Throws<ArgumentOutOfRangeException>(() => dev.Apply(LineSettings.Default with { DataBits = 9 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => dev.Apply(LineSettings.Default with { BaudRate = 0 }));
    }

    [Fact]
    public async Task A_mebibyte_crosses_byte_exact_in_both_directions_at_once()
    {
        using var dev = PosixSerialDevice.Open(_machine.LinkPath);
        dev.Apply(LineSettings.Default);
        var toMachine = RandomBytes(1 << 20, 1);
        var fromMachine = RandomBytes(1 << 20, 2);

        var machineReads = _machine.ReadExactlyAsync(toMachine.Length, TimeSpan.FromSeconds(20));
        var deviceWrites = RunThread(() => dev.Write(toMachine));
        var machineWrites = RunThread(() => _machine.Write(fromMachine));
        var deviceReads = RunThread(() => ReadExactly(dev, fromMachine.Length));

        await Task.WhenAll(deviceWrites, machineWrites).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(toMachine, await machineReads.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(fromMachine, await deviceReads.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Dispose_from_another_thread_unblocks_a_read_which_returns_zero()
    {
        var dev = PosixSerialDevice.Open(_machine.LinkPath);
        var started = new ManualResetEventSlim();
        var read = RunThread(() =>
        {
            started.Set();
            return dev.Read(new byte[4096]);
        });
        started.Wait(Timeout);
        await Task.Delay(100); // no condition says "blocked in read": the read must simply still be waiting
        Assert.False(read.IsCompleted);

        dev.Dispose();
        Assert.Equal(0, await read.WaitAsync(TimeSpan.FromSeconds(1)));

        dev.Dispose(); // idempotent
        Assert.Equal(0, dev.Read(new byte[16]));
        Assert.Throws<ObjectDisposedException>(() => dev.Write([1, 2, 3]));
    }

    [Fact]
    public async Task Dispose_unblocks_a_write_stuck_on_a_full_buffer()
    {
        var dev = PosixSerialDevice.Open(_machine.LinkPath);
        var write = RunThread(() => dev.Write(new byte[1 << 20])); // nobody reads: the pty fills up
        await Task.Delay(200); // the write must still be stuck after a while (nothing signals "stuck")
        Assert.False(write.IsCompleted);
        dev.Dispose();
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => write.WaitAsync(TimeSpan.FromSeconds(1)));
        Assert.True(ex is ObjectDisposedException or DeviceFaultException, ex.ToString());
    }

    [Fact]
    public async Task Unplug_makes_a_blocked_read_fault_instead_of_hanging()
    {
        using var dev = PosixSerialDevice.Open(_machine.LinkPath);
        var read = RunThread(() => dev.Read(new byte[4096]));
        await Task.Delay(100); // give the read time to block (not observable); a read started later faults too
        _machine.Unplug();
        var ex = await Assert.ThrowsAsync<DeviceFaultException>(() => read.WaitAsync(TimeSpan.FromSeconds(2)));
        Assert.Equal(PosixNative.EIO, ex.Errno);
        Assert.Throws<DeviceFaultException>(() => dev.Read(new byte[4096]));
        Assert.Throws<DeviceFaultException>(() => dev.Write([1]));
    }

    [Fact]
    public void Data_sent_before_unplug_is_still_delivered_then_the_read_faults()
    {
        using var dev = PosixSerialDevice.Open(_machine.LinkPath);
        _machine.Write("bye"u8);
        var buffer = new byte[4096];
        Assert.Equal("bye"u8.ToArray(), buffer.AsSpan(0, ReadAtLeast(dev, buffer, 3)).ToArray());
        _machine.Unplug();
        Assert.Throws<DeviceFaultException>(() => dev.Read(buffer));
    }

    [Fact]
    public void After_replug_the_link_opens_again_and_works()
    {
        _machine.Unplug();
        var missing = Assert.Throws<DeviceFaultException>(() => PosixSerialDevice.Open(_machine.LinkPath));
        Assert.Equal(PosixNative.ENOENT, missing.Errno);
        _machine.Replug();
        using var dev = PosixSerialDevice.Open(_machine.LinkPath);
        dev.Write("hello"u8);
        Assert.Equal("hello"u8.ToArray(), _machine.ReadExactly(5, Timeout));
    }

    [Fact]
    public void Close_and_reopen_keeps_the_machine_working()
    {
        using (var first = PosixSerialDevice.Open(_machine.LinkPath))
        {
            first.Write("one"u8);
            Assert.Equal("one"u8.ToArray(), _machine.ReadExactly(3, Timeout));
        }

        using var second = PosixSerialDevice.Open(_machine.LinkPath);
        second.Write("two"u8);
        Assert.Equal("two"u8.ToArray(), _machine.ReadExactly(3, Timeout));
        _machine.Write("back"u8);
        var buffer = new byte[4096];
        Assert.Equal("back"u8.ToArray(), buffer.AsSpan(0, ReadAtLeast(second, buffer, 4)).ToArray());
    }

    [Fact]
    public void Opening_a_missing_path_is_a_fault_naming_the_path()
    {
        var path = $"/tmp/no-such-serial-{Guid.NewGuid():N}";
        var ex = Assert.Throws<DeviceFaultException>(() => PosixSerialDevice.Open(path));
        Assert.Equal(PosixNative.ENOENT, ex.Errno);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Opening_a_non_terminal_is_a_fault()
    {
        var ex = Assert.Throws<DeviceFaultException>(() => PosixSerialDevice.Open("/dev/null"));
        Assert.Equal(PosixNative.ENOTTY, ex.Errno);
        Assert.Contains("/dev/null", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pty_has_no_modem_lines_and_says_so_without_throwing()
    {
        using var dev = PosixSerialDevice.Open(_machine.LinkPath);
        Assert.False(dev.SetDtr(true));
        Assert.False(dev.SetRts(false));
        Assert.Null(dev.ReadModemStatus());
        Assert.False(dev.Capabilities.HasFlag(DeviceCapabilities.ControlLines));
        Assert.False(dev.Capabilities.HasFlag(DeviceCapabilities.ModemStatus));
        Assert.Equal(!VirtualSerialDevice.PtyForcesEightBitsNoParity,
            dev.Capabilities.HasFlag(DeviceCapabilities.MarkSpaceParity));
        // The pty driver accepts break requests (as a no-op).
        Assert.Equal(dev.Capabilities.HasFlag(DeviceCapabilities.Break), dev.SetBreak(true));
        dev.SetBreak(false);
    }

    [Fact]
    public void Purge_receive_drops_pending_input()
    {
        using var dev = PosixSerialDevice.Open(_machine.LinkPath);
        _machine.Write("stale"u8);
        Eventually.True(() => _machine.PendingInput == 5, Timeout, () => $"{_machine.PendingInput} of 5 stale bytes queued");
        dev.Purge(PurgeTarget.Receive);
        _machine.Write("fresh"u8);
        var buffer = new byte[4096];
        Assert.Equal("fresh"u8.ToArray(), buffer.AsSpan(0, ReadAtLeast(dev, buffer, 5)).ToArray());
    }

    internal static int ReadAtLeast(ISerialDevice dev, byte[] buffer, int count)
    {
        var got = 0;
        while (got < count)
        {
            var n = dev.Read(buffer.AsSpan(got));
            Assert.True(n > 0, "device closed");
            got += n;
        }

        return got;
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes from a device with 4 KiB reads (blocking; run it on a thread).</summary>
    internal static byte[] ReadExactly(ISerialDevice dev, int count)
    {
        var received = new byte[count];
        var got = 0;
        var buffer = new byte[4096];
        while (got < received.Length)
        {
            var n = dev.Read(buffer);
            Assert.True(n > 0);
            Assert.True(got + n <= received.Length, "more bytes than were sent");
            buffer.AsSpan(0, n).CopyTo(received.AsSpan(got));
            got += n;
        }

        return received;
    }

    internal static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    internal static Task RunThread(Action action) =>
        Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    internal static Task<T> RunThread<T>(Func<T> func) =>
        Task.Factory.StartNew(func, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
