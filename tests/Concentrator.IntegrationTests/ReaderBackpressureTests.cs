using System.Net.Sockets;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests;

/// <summary>
/// A reader is never dropped for reading (issue 21): a port's only session, reading slower than the device talks, gets
/// backpressure (the daemon stops reading the device; the bytes wait in the device, as with ser2net and socat) and
/// every byte, rather than "client too slow" and a closed connection.
/// </summary>
public sealed class ReaderBackpressureTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_only_session_reading_slower_than_the_device_gets_every_byte_and_stays_connected()
    {
        var device = Track(VirtualSerialDevice.CreateTemp("slowreader"));
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.p {
              device = "{{device.LinkPath}}"
              listeners = [ { port = {{tcp}}, protocol = raw, replay = off, output-queue = 64k } ]
            }
            """));
        daemon.WaitOnline("p");
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await client.ConnectAsync("127.0.0.1", tcp);
        daemon.WaitFor("session 1 on port p: .* connected");

        // Far more than the session's queue and the socket buffers hold, written as fast as the pty takes it.
        var data = new byte[1024 * 1024];
        Random.Shared.NextBytes(data);
        var writing = Task.Factory.StartNew(() => device.Write(data), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        // A reader slower than the device: small reads, paced (load shaping, not a wait for a condition).
        var received = new byte[data.Length];
        var got = 0;
        var deadline = DateTime.UtcNow + Timeout;
        while (got < data.Length && DateTime.UtcNow < deadline)
        {
            var n = await client.ReceiveAsync(received.AsMemory(got, Math.Min(4096, data.Length - got)));
            Assert.True(n > 0, $"the daemon closed the connection after {got} bytes:\n{daemon.Output}");
            got += n;
            await Task.Delay(1);
        }

        await writing.WaitAsync(Timeout);
        Assert.Equal(data.Length, got);
        Assert.True(data.AsSpan().SequenceEqual(received), "the client got other bytes than the device sent");
        Assert.DoesNotContain("too slow", daemon.Output, StringComparison.Ordinal);
    }
}
