using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Concentrator.Ports.Channels;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.DeviceLink;
using Concentrator.Ports.Metrics;
using Concentrator.Ports.Session;
using Concentrator.Testing;

namespace Concentrator.Ports.Tests.Session;

/// <summary>Where device output leaves a session: on the device reader's thread or through the session actor.</summary>
public sealed class SessionOutputTests : TestKit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static readonly ListenerSettings Raw = PortSettingsBuilder.Listener();

    /// <summary>The first <paramref name="count"/> bytes the client gets, as text.</summary>
    private static string Receive(Socket client, int count)
    {
        client.ReceiveTimeout = (int)Timeout.TotalMilliseconds;
        var buffer = new byte[count];
        new NetworkStream(client).ReadExactly(buffer);
        return Encoding.ASCII.GetString(buffer);
    }

    [Fact]
    public async Task A_raw_session_on_the_listener_s_counted_TCP_channel_sends_a_small_chunk_on_the_reader_s_thread()
    {
        var (client, server) = await LoopbackSockets.ConnectedPairAsync();
        using var clientSocket = client;
        var session = CreateTestProbe();
        // As the listener hands it over: the TCP channel inside the connection-slot wrapper.
        using var channel = new CountedChannel(new TcpChannel(server), new CancellationTokenSource());
        var output = new SessionOutput(channel, new RawProtocol(), Raw, session, CreateTestProbe(), new SessionCounters(),
            new PortMetrics("t"), showNotices: false);
        output.Release(ReadOnlyMemory<byte>.Empty);

        output.Deliver("prompt> "u8.ToArray());

        Assert.Equal("prompt> ", Receive(client, 8));
        // Not handed to the session actor: the sentinel, told after, is the first message it gets.
        session.Ref.Tell("sentinel");
        session.ExpectMsg("sentinel", Timeout);
    }

    [Fact]
    public async Task A_session_on_a_channel_that_only_sends_asynchronously_gets_its_chunks_through_the_actor()
    {
        var (client, server) = await LoopbackSockets.ConnectedPairAsync();
        using var clientSocket = client;
        var session = CreateTestProbe();
        using var channel = new CountedChannel(new StreamChannel(new NetworkStream(server, ownsSocket: true), server.RemoteEndPoint),
            new CancellationTokenSource());
        var output = new SessionOutput(channel, new RawProtocol(), Raw, session, CreateTestProbe(), new SessionCounters(),
            new PortMetrics("t"), showNotices: false);
        output.Release(ReadOnlyMemory<byte>.Empty);

        var chunk = "prompt> "u8.ToArray();
        output.Deliver(chunk);

        Assert.Same(chunk, session.ExpectMsg<DeviceOutput>(Timeout).Data);
    }
}
