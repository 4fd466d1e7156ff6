using System.Net;
using System.Net.Sockets;
using Concentrator.Client.Rfc2217;
using Concentrator.Testing;

namespace Concentrator.Client.Tests;

/// <summary>Rfc2217Connection against a scripted TCP peer: what goes over the wire.</summary>
public sealed class ConnectionTests
{
    private const byte Iac = 255, Sb = 250, Se = 240, Do = 253;

    [Fact]
    public async Task BreakIsSetControlOnThenOffOnceTheComPortIsEnabled()
    {
        var port = FreeTcpPort.Next();
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        try
        {
            await using var connection = await Rfc2217Connection.ConnectAsync(new RemoteEndPoint("127.0.0.1", port), TimeSpan.FromSeconds(5), CancellationToken.None);
            using var server = await listener.AcceptSocketAsync();
            await server.SendAsync(new byte[] { Iac, Do, 44 }, SocketFlags.None);
            using var stop = new CancellationTokenSource();
            var run = connection.RunAsync(_ => { }, _ => { }, stop.Token);
            await Eventually.TrueAsync(() => connection.ComPortEnabled, TimeSpan.FromSeconds(5), () => "COM-PORT-OPTION never enabled");
            await connection.SendBreakAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None);
            await connection.SendDataAsync(new byte[] { 0xFF }, CancellationToken.None);

            var received = new List<byte>();
            var buffer = new byte[256];
            byte[] expectedTail = [Iac, Sb, 44, 5, 5, Iac, Se, Iac, Sb, 44, 5, 6, Iac, Se, 0xFF, 0xFF];
            using var receiving = new CancellationTokenSource(TimeSpan.FromSeconds(5)); // a silent client fails, not hangs
            while (received.Count < 15 + expectedTail.Length)
            {
                var n = await server.ReceiveAsync(buffer, SocketFlags.None, receiving.Token);
                if (n == 0)
                {
                    break;
                }

                received.AddRange(buffer.AsSpan(0, n));
                if (received.Count >= 15 && received.Skip(15).SequenceEqual(expectedTail))
                {
                    break;
                }
            }

            Assert.Equal(expectedTail, received.Skip(15).ToArray()); // after the 15-byte opening
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        }
        finally
        {
            listener.Stop();
        }
    }
}
