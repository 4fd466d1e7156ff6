using System.Text;
using Concentrator.Devices.Exec;
using Concentrator.Testing;

namespace Concentrator.Devices.Tests;

/// <summary>exec: devices: a real program on a real pty, read and written as the device link would.</summary>
public sealed class ExecDeviceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static async Task<string> ReadUntilAsync(ISerialDevice device, string expected)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        var read = Task.Run(() =>
        {
            while (!text.ToString().Contains(expected, StringComparison.Ordinal))
            {
                var n = device.Read(buffer);
                if (n == 0)
                {
                    break;
                }

                text.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }
        });
        await read.WaitAsync(Timeout);
        return text.ToString();
    }

    [Fact]
    public async Task A_program_gets_a_terminal_of_its_own_in_its_own_session()
    {
        using var device = ExecDevice.Start("exec:test", ["/bin/sh", "-c", "echo tty=$(tty) sid=$(ps -o sid= -p $$) pid=$$; exec cat"]);
        device.Apply(LineSettings.Default);
        var said = await ReadUntilAsync(device, "\n");
        var match = System.Text.RegularExpressions.Regex.Match(said, @"tty=/dev/pts/\d+ sid=\s*(\d+) pid=(\d+)");
        Assert.True(match.Success, said);
        Assert.Equal(match.Groups[2].Value, match.Groups[1].Value); // a session leader: its pty is its controlling terminal
        Assert.Equal(int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), device.ProcessId);

        device.Write("over the pty\n"u8);
        Assert.Contains("over the pty", await ReadUntilAsync(device, "over the pty\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_program_ending_is_a_fault_that_says_how_and_what_it_said_last()
    {
        using var device = ExecDevice.Start("exec:test", ["/bin/sh", "-c", "echo 'Error: the BMC said no'; exit 7"]);
        var fault = Assert.Throws<DeviceFaultException>(() => ReadToTheEnd(device));
        Assert.Equal("program sh exited with status 7: Error: the BMC said no", fault.Message);
    }

    private static void ReadToTheEnd(ISerialDevice device)
    {
        var buffer = new byte[4096];
        while (device.Read(buffer) > 0)
        {
        }
    }

    [Fact]
    public void A_program_that_cannot_start_is_a_fault_at_once()
    {
        var fault = Assert.Throws<DeviceFaultException>(() => ExecDevice.Start("exec:nope", ["/nonexistent/program"]));
        Assert.Contains("cannot start '/nonexistent/program'", fault.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disposing_ends_the_program_and_a_blocked_read_returns()
    {
        var device = ExecDevice.Start("exec:test", ["/bin/sleep", "600"]);
        var pid = device.ProcessId;
        var reader = Task.Run(() => device.Read(new byte[16]));
        device.Dispose();
        Assert.Equal(0, await reader.WaitAsync(Timeout));
        Eventually.True(() => !Directory.Exists($"/proc/{pid}"), Timeout, () => $"pid {pid} still exists");
    }
}
