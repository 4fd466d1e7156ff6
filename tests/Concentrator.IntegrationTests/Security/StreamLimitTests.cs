using System.Net;
using System.Net.Http.Headers;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Security;

/// <summary>
/// Issue 22, item 4 (part): the long-lived HTTP streams (the lease and dashboard event feeds, the browser terminal)
/// count against the same per-source limits as the serial listeners, so one viewer cannot take every slot. Over
/// HTTP/1.1 a stream counts through its connection (the HTTP entry counts connections at accept); streams that share
/// an HTTP/2 connection count one by one (<c>ApiHttpsTests</c>).
/// </summary>
public sealed class StreamLimitTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Event_feeds_and_listener_connections_share_one_per_source_limit()
    {
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.security.max-connections-per-source = 2
            concentrator.ports.p { device = "sim:echo", listeners = [ { port = {{tcp}}, protocol = raw } ] }
            """));
        daemon.WaitOnline("p");
        using var http = new HttpClient { BaseAddress = daemon.ApiUrl, Timeout = Timeout };

        using var first = await OpenFeed(http, "/api/leases/events");
        using var second = await OpenFeed(http, "/api/events");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);

        // Each feed has an HTTP/1.1 connection to itself, which holds the slot (the feed takes no second one): a third
        // feed's connection is refused at accept, and so is a serial connection: the slots are the same.
        await Assert.ThrowsAsync<HttpRequestException>(() => OpenFeed(http, "/api/leases/events"));
        daemon.WaitFor($"api 127.0.0.1:{daemon.ApiPort}: refused 127.0.0.1: max-connections-per-source 2 reached");
        using var refused = TcpClientSession.Connect(tcp);
        Assert.True(refused.WaitClosed(Timeout));

        // Closing a feed gives its slot back.
        first.Dispose();
        Eventually.True(() => TryOpenFeed(http, "/api/leases/events") is { StatusCode: HttpStatusCode.OK } again && Dispose(again),
            Timeout, () => "the closed feed's slot never came back");
    }

    private static HttpResponseMessage? TryOpenFeed(HttpClient http, string path)
    {
        try
        {
            return OpenFeed(http, path).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is HttpRequestException or System.Net.Sockets.SocketException or IOException)
        {
            return null; // still refused at accept (a reset right after connect can surface as a bare SocketException)
        }
    }

    private static bool Dispose(HttpResponseMessage response)
    {
        response.Dispose();
        return true;
    }

    private static async Task<HttpResponseMessage> OpenFeed(HttpClient http, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }
}
