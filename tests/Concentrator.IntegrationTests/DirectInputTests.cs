using System.Text;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests;

/// <summary>
/// Client bytes go from the session to the device without the port's mailbox when nothing is on its way there
/// (Port/DeviceInputGate.cs). The port's decisions and the order of device work must hold all the same.
/// </summary>
public sealed class DirectInputTests : IntegrationTest
{
    private const byte Iac = 255, Sb = 250, Se = 240, Will = 251, Do = 253, ComPort = 44, SetBaudRate = 1;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static string Latin1(params byte[] bytes) => Encoding.Latin1.GetString(bytes);

    [Fact]
    public void A_baud_change_sent_just_before_data_is_in_effect_when_the_data_reaches_the_device()
    {
        var device = Track(VirtualSerialDevice.CreateTemp("fence"));
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.f { device = "{{device.LinkPath}}", baud = 115200, listeners = [ { port = {{tcp}}, protocol = rfc2217 } ] }
            """));
        daemon.WaitOnline("f");
        var client = Track(TcpClientSession.Connect(tcp));
        client.Send([Iac, Will, ComPort]);
        client.ReadUntil(Latin1(Iac, Do, ComPort), Timeout);
        client.Send("warm-up");
        Assert.Equal("warm-up", Encoding.ASCII.GetString(device.ReadExactly(7, Timeout)));

        foreach (var baud in new[] { 9600, 19200, 4800, 57600, 2400, 38400, 1200, 230400 })
        {
            // One segment: the change and, right behind it, a byte the device must get at the new speed.
            byte[] value = [(byte)(baud >> 24), (byte)(baud >> 16), (byte)(baud >> 8), (byte)baud];
            client.Send([Iac, Sb, ComPort, SetBaudRate, .. value, Iac, Se, (byte)'x']);
            Assert.Equal("x"u8.ToArray(), device.ReadExactly(1, Timeout));
            Assert.Equal(baud, device.GetTermios().BaudRate);
            client.ReadUntil(Latin1(Iac, Sb, ComPort, 100 + SetBaudRate), Timeout); // the answer: applied
        }
    }

    [Fact]
    public async Task A_session_typing_while_another_forces_the_write_lock_writes_nothing_once_it_lost_it()
    {
        var device = Track(VirtualSerialDevice.CreateTemp("lock"));
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.l {
              device = "{{device.LinkPath}}"
              write-policy = exclusive
              listeners = [ { port = {{tcp}}, protocol = telnet, replay = off } ]
            }
            """));
        daemon.WaitOnline("l");
        var holder = Track(TcpClientSession.Connect(tcp));
        daemon.WaitFor("session 1 on port l: .* connected");
        var taker = Track(TcpClientSession.Connect(tcp));
        daemon.WaitFor("session 2 on port l: .* connected");
        taker.ReadUntil("waiting for the write lock, held by session 1", Timeout);

        // The holder types without pause, before, while and after the lock moves.
        using var stop = new CancellationTokenSource();
        var typing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                holder.Send("a");
                await Task.Delay(1);
            }
        });
        Assert.Equal(new string('a', 20), Encoding.ASCII.GetString(device.ReadExactly(20, Timeout)));

        taker.Send("\u0005cf");
        taker.ReadUntil("you can write", Timeout); // the port took the holder's right before saying so
        taker.Send("|");
        var upToMark = device.ReadUntil("|", Timeout);
        await stop.CancelAsync();
        await typing.WaitAsync(Timeout);

        holder.ReadUntil("session 2 forced the write lock", Timeout);

        // The holder's own sentinel: an escape command behind everything it typed, answered (help) by its session in
        // stream order. Once the help is back, every 'a' it typed has been handled.
        holder.Send("\u0005c?");
        holder.ReadUntil("commands after", Timeout);
        taker.Send("#");
        var afterMark = device.ReadUntil("#", Timeout);

        var mark = upToMark.IndexOf('|', StringComparison.Ordinal);
        Assert.Equal(new string('a', mark), upToMark[..mark]);
        Assert.Equal("#", upToMark[(mark + 1)..] + afterMark); // after the taker's mark, nothing but its next one
    }
}
