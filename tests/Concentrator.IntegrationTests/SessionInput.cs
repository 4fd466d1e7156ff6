using Concentrator.IntegrationTests.Management;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests;

/// <summary>
/// Proof that a session has handled what its client sent, where that input has no answer to wait for (a raw session
/// that may not write drops it without a word). After this, anything of it that reached the device's queue is ahead
/// of whatever is sent afterwards, so the device's next bytes being exactly a later sentinel prove none of it did.
/// </summary>
public static class SessionInput
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>One byte sent after the input, whose arrival proves the input before it was handled.</summary>
    public const string Flush = "~";

    /// <summary>
    /// Waits until the session of <paramref name="client"/> on <paramref name="port"/> has handled the
    /// <paramref name="sent"/> bytes its client has sent so far (the management API's bytesIn). A session counts a read
    /// before it handles it, and it reads its client one receive at a time; so once all of them are counted, one more
    /// byte (<see cref="Flush"/>, not handled yet when this returns) is sent and counted too: that second receive was
    /// only started after everything before it had been handled.
    /// </summary>
    public static void WaitHandled(ApiHttp api, string port, TcpClientSession client, long sent)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(client);
        var peer = client.Socket.LocalEndPoint?.ToString() ?? throw new InvalidOperationException("the client is not connected");
        WaitCounted(api, port, peer, sent);
        client.Send(Flush);
        WaitCounted(api, port, peer, sent + Flush.Length);
    }

    private static void WaitCounted(ApiHttp api, string port, string peer, long count)
    {
        long? seen = null;
        Eventually.True(() => (seen = BytesIn(api, port, peer)) == count, Timeout,
            () => $"the session of {peer} on port {port} counted {seen?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no"} bytes in, not {count}");
    }

    private static long? BytesIn(ApiHttp api, string port, string peer)
    {
        var sessions = api.GetAsync($"/api/ports/{port}/sessions").GetAwaiter().GetResult().Json;
        foreach (var session in sessions.EnumerateArray())
        {
            if (session.GetProperty("peer").GetString() == peer)
            {
                return session.GetProperty("bytesIn").GetInt64();
            }
        }

        return null;
    }
}
