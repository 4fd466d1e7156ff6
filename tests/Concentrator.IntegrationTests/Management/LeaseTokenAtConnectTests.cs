using System.Net;
using System.Net.WebSockets;
using System.Text;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Management;

/// <summary>
/// Issue 22: a client presents a lease's token when it connects — our clients with <c>--lease-token</c> (telnet option
/// 108), a program on the terminal WebSocket with <c>X-Lease-Token</c> — and its session holds the lease and writes;
/// without the token, or with another, it only watches. Bytes sent right behind the token are not lost: the session
/// handles them once the port has checked the token.
/// </summary>
public sealed class LeaseTokenAtConnectTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private (VirtualSerialDevice Device, DaemonProcess Daemon, ApiHttp Api, int Telnet, int Raw, string Token) ServeLeased()
    {
        var device = Track(VirtualSerialDevice.CreateTemp("lease-token"));
        int telnet = FreeTcpPort.Next(), raw = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator {
              ports.lab {
                device = "{{device.LinkPath}}"
                listeners = [ { port = {{telnet}}, protocol = telnet }, { port = {{raw}}, protocol = raw } ]
              }
              api.allow-anonymous-actions = on
            }
            """));
        daemon.WaitOnline("lab");
        var api = Track(new ApiHttp(daemon.ApiUrl));
        // Held by a name no session here has: only the token makes a holder.
        var lease = api.PostAsync("/api/leases", """{"port":"lab","ttl":"10m","holder":"ci-runner-7"}""").Result;
        Assert.Equal(HttpStatusCode.Created, lease.Status);
        daemon.WaitFor("port lab: leased to ci-runner-7");
        return (device, daemon, api, telnet, raw, lease.Json.GetProperty("token").GetString()!);
    }

    private static byte[] PresentToken(string token) => [255, 250, 108, .. Encoding.ASCII.GetBytes(token), 255, 240];

    [Fact]
    public void Bytes_sent_right_behind_the_token_reach_the_device_and_a_session_without_it_only_watches()
    {
        var (device, daemon, _, telnet, raw, token) = ServeLeased();

        using var watcher = TcpClientSession.Connect(raw);
        daemon.WaitFor("session 1 on port lab: .* connected");
        watcher.Send("from-the-watcher\n");

        // The token and the first line in one segment: the line must be written with the right the token gives.
        using var holder = TcpClientSession.Connect(telnet);
        daemon.WaitFor("session 2 on port lab: .* connected");
        holder.Send([.. PresentToken(token), .. "first-line-of-the-holder\n"u8]);
        var written = device.ReadUntil("first-line-of-the-holder\n", Timeout);
        Assert.DoesNotContain("from-the-watcher", written, StringComparison.Ordinal);
        daemon.WaitFor("port lab: session 2 presented the token of lease");
        Assert.DoesNotContain(token, daemon.Output, StringComparison.Ordinal);

        // Another token is no token: told so, and its input does not reach the device (the holder's next line does).
        using var guesser = TcpClientSession.Connect(telnet);
        daemon.WaitFor("session 3 on port lab: .* connected");
        guesser.Send([.. PresentToken("cct_not-the-lease-token"), .. "from-the-guesser\n"u8]);
        guesser.ReadUntil("is not the token of port lab's lease", Timeout);
        holder.Send("second-line-of-the-holder\n");
        written = device.ReadUntil("second-line-of-the-holder\n", Timeout);
        Assert.DoesNotContain("from-the-guesser", written, StringComparison.Ordinal);
    }

    [Fact]
    public void Our_attach_client_with_lease_token_writes_to_a_leased_port()
    {
        var (device, daemon, _, telnet, _, token) = ServeLeased();

        using var attach = RunningProcess.Concentrator(["attach", $"127.0.0.1:{telnet}"],
            new Dictionary<string, string> { ["CONCENTRATOR_LEASE_TOKEN"] = token });
        daemon.WaitFor("port lab: session 1 presented the token of lease");
        attach.Write("typed-through-attach\n");
        device.ReadUntil("typed-through-attach", Timeout);
        Assert.DoesNotContain(token, attach.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_program_on_the_terminal_websocket_presents_the_token_in_a_header()
    {
        var (device, daemon, _, _, _, token) = ServeLeased();
        using var cancel = new CancellationTokenSource(Timeout);

        using var holder = new ClientWebSocket();
        holder.Options.SetRequestHeader("X-Lease-Token", token);
        await holder.ConnectAsync(new Uri($"ws://127.0.0.1:{daemon.ApiPort}/api/ports/lab/terminal"), cancel.Token);
        daemon.WaitFor("session 1 on port lab: .* connected");

        using var watcher = new ClientWebSocket();
        await watcher.ConnectAsync(new Uri($"ws://127.0.0.1:{daemon.ApiPort}/api/ports/lab/terminal"), cancel.Token);
        daemon.WaitFor("session 2 on port lab: .* connected");

        await watcher.SendAsync("from-the-web-watcher\n"u8.ToArray(), WebSocketMessageType.Binary, true, cancel.Token);
        await holder.SendAsync("from-the-web-holder\n"u8.ToArray(), WebSocketMessageType.Binary, true, cancel.Token);
        var written = device.ReadUntil("from-the-web-holder\n", Timeout);
        Assert.DoesNotContain("from-the-web-watcher", written, StringComparison.Ordinal);
    }
}
