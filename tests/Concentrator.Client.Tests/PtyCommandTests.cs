using System.Diagnostics;
using System.Text;
using Concentrator.Devices;
using Concentrator.Testing;

namespace Concentrator.Client.Tests;

/// <summary>`concentrator pty` end to end: real daemon, virtual device, the pty opened like a serial port.</summary>
public sealed class PtyCommandTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly RemotePort _remote = new(baud: 9600);
    private readonly string _link = Path.Combine(Path.GetTempPath(), $"client-pty-{Guid.NewGuid():N}");

    public void Dispose()
    {
        _remote.Dispose();
        File.Delete(_link);
    }

    [Fact]
    public async Task BridgesBytesForwardsBaudSurvivesRestartAndRemovesTheLink()
    {
        using var pty = ConcentratorCli.Start("pty", _remote.Address, "--link", _link);
        pty.WaitFor("connected to", Timeout);
        Assert.True(File.Exists(_link), pty.Output);

        // Without --baud the pty takes the remote port's rate.
        using (var local = OpenLink())
        {
            await RoundTripAsync(local, "ping-1", "pong-1");

            // A program (stty) sets a baud rate on the link: the remote device runs at it within a second.
            Stty("57600");
            var sw = Stopwatch.StartNew();
            Eventually.True(() => _remote.Device.GetTermios().BaudRate == 57600, TimeSpan.FromSeconds(1),
                () => $"device rate {_remote.Device.GetTermios().BaudRate} after {sw.Elapsed}\n{pty.Output}");

            // Kill the daemon and start it again on the same port: the pty stays and resumes.
            _remote.Restart();
            pty.WaitFor("connected to", Timeout, occurrences: 2);
            Assert.True(File.Exists(_link));
            Eventually.True(() => _remote.Device.GetTermios().BaudRate == 57600, TimeSpan.FromSeconds(3),
                () => $"after restart the device runs at {_remote.Device.GetTermios().BaudRate}, not the rate the pty asked for\n{pty.Output}");
            await RoundTripAsync(local, "ping-2", "pong-2");
        }

        Assert.Equal(0, pty.Signal(15));
        Assert.False(File.Exists(_link) || new FileInfo(_link).LinkTarget is not null, "the link must be removed on exit");
    }

    [Fact]
    public async Task BaudOptionSetsTheRemoteRateAndIaCBytesPassBothWays()
    {
        using var pty = ConcentratorCli.Start("pty", _remote.Address, "--link", _link, "--baud", "38400");
        pty.WaitFor("connected to", Timeout);
        Eventually.True(() => _remote.Device.GetTermios().BaudRate == 38400, TimeSpan.FromSeconds(2),
            () => $"device rate {_remote.Device.GetTermios().BaudRate}\n{pty.Output}");

        using var local = OpenLink();
        byte[] all = [.. Enumerable.Range(0, 256).Select(i => (byte)i)];
        local.Write(all);
        Assert.Equal(all, _remote.Device.ReadExactly(all.Length, Timeout));
        _remote.Device.Write(all);
        Assert.Equal(all, await ReadExactlyAsync(local, all.Length));

        Assert.Equal(0, pty.Signal(2)); // SIGINT too
        Assert.Null(new FileInfo(_link).LinkTarget);
    }

    private ISerialDevice OpenLink()
    {
        // The posix backend reads the current rate, so opening does not change it; it applies raw 8N1.
        var rate = ReadLinkRate();
        return SerialDeviceFactory.Open(_link, DeviceBackend.Posix, LineSettings.Default with { BaudRate = rate });
    }

    private int ReadLinkRate()
    {
        var output = RunTool("stty", "-F", _link, "speed");
        return int.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private void Stty(string rate) => RunTool("stty", "-F", _link, rate);

    private static string RunTool(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)}: {stderr}");
        return stdout;
    }

    private async Task RoundTripAsync(ISerialDevice local, string toDevice, string fromDevice)
    {
        local.Write(Encoding.ASCII.GetBytes(toDevice));
        Assert.Equal(toDevice, Encoding.ASCII.GetString(_remote.Device.ReadExactly(toDevice.Length, Timeout)));
        _remote.Device.Write(fromDevice);
        Assert.Equal(fromDevice, Encoding.ASCII.GetString(await ReadExactlyAsync(local, fromDevice.Length)));
    }

    internal static async Task<byte[]> ReadExactlyAsync(ISerialDevice device, int count)
    {
        var read = Task.Factory.StartNew(() =>
        {
            var result = new List<byte>();
            var buffer = new byte[4096];
            while (result.Count < count)
            {
                var n = device.Read(buffer.AsSpan(0, Math.Min(buffer.Length, count - result.Count)));
                if (n == 0)
                {
                    break;
                }

                result.AddRange(buffer.AsSpan(0, n));
            }

            return result.ToArray();
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var done = await Task.WhenAny(read, Task.Delay(Timeout));
        Assert.True(done == read, $"no {count} bytes from the link within {Timeout}");
        return await read;
    }
}
