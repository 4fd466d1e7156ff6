using Concentrator.Ports.Security;
using System.Net;
using Concentrator.Ports.Channels;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Management;
using Concentrator.Web.Access;
using Concentrator.Web.Assets;
using Concentrator.Web.Dashboard;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Concentrator.Web.Terminal;

/// <summary>
/// The browser terminal: its page and its WebSocket. The WebSocket becomes an ordinary session of the port (the
/// <see cref="ListenerProtocol.Web"/> protocol) through the ports supervisor, so admission, roles, scrollback replay,
/// notices and escape commands are the port's own; the request stays open until the session has closed the socket.
/// </summary>
internal static partial class TerminalEndpoints
{
    private const string ReadOnlyMode = "read-only";
    private const string ReadWriteMode = "read-write";

    /// <summary>How long a dropped connection's request waits for its session to release the socket.</summary>
    private static readonly TimeSpan ReleaseGrace = TimeSpan.FromSeconds(5);

    /// <summary><c>GET /ports/{name}/terminal[?mode=read-only]</c>: the terminal page of one port.</summary>
    public static async Task PageAsync(HttpContext context)
    {
        if (await DashboardEndpoints.AuthorizeAsync(context, DashboardRights.View).ConfigureAwait(false) is null)
        {
            return;
        }

        var port = DashboardEndpoints.RouteValue(context, "name");
        if (await context.RequestServices.GetRequiredService<PortsGateway>().GetAsync(port, context.RequestAborted).ConfigureAwait(false) is null)
        {
            await Problems.PortNotFound(context, port).ConfigureAwait(false);
            return;
        }

        await context.RequestServices.GetRequiredService<EmbeddedAssets>().ServeAsync(context, "terminal.html").ConfigureAwait(false);
    }

    /// <summary>
    /// <c>GET /api/ports/{name}/terminal[?mode=read-only]</c>: the terminal's WebSocket. Binary frames carry bytes
    /// both ways; text frames carry control messages as JSON (<see cref="ControlJson"/>). A browser's upgrade from
    /// another origin is refused with 403; a caller without the <see cref="DashboardRights.Terminal"/> right, or one
    /// that asks for <c>mode=read-only</c>, is admitted read-only.
    /// </summary>
    public static async Task WebSocketAsync(HttpContext context)
    {
        var services = context.RequestServices;
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await Problems.Write(context, StatusCodes.Status400BadRequest, "a WebSocket upgrade is expected",
                "open /ports/NAME/terminal in a browser, or connect a WebSocket client here").ConfigureAwait(false);
            return;
        }

        if (!SameOrigin.AllowsWebSocket(context.Request))
        {
            await Problems.Forbidden(context, "cross-origin WebSocket refused").ConfigureAwait(false);
            return;
        }

        if (await DashboardEndpoints.AuthorizeAsync(context, DashboardRights.View).ConfigureAwait(false) is not { } access)
        {
            return;
        }

        var mode = context.Request.Query["mode"].ToString();
        if (mode.Length > 0 && mode is not (ReadOnlyMode or ReadWriteMode))
        {
            await Problems.Write(context, StatusCodes.Status400BadRequest, "bad mode", "mode is read-only or read-write").ConfigureAwait(false);
            return;
        }

        var port = DashboardEndpoints.RouteValue(context, "name");
        var gateway = services.GetRequiredService<PortsGateway>();
        if (await gateway.GetAsync(port, context.RequestAborted).ConfigureAwait(false) is null)
        {
            await Problems.PortNotFound(context, port).ConfigureAwait(false);
            return;
        }

        var options = services.GetRequiredService<IOptions<DashboardOptions>>().Value;
        var readOnly = mode == ReadOnlyMode || !access.Can(DashboardRights.Terminal);
        var connection = context.Connection;
        var listener = new ListenerSettings(connection.LocalIpAddress ?? IPAddress.Loopback, connection.LocalPort, ListenerProtocol.Web,
            readOnly ? SessionAccess.ReadOnly : SessionAccess.ReadWrite, Replay: true, options.TerminalOutputQueueBytes, options.TerminalOverflow);

        if (!StreamSlots.TryTake(services.GetService<DaemonSecurity>(), connection.RemoteIpAddress, out var slot, out var refusal))
        {
            await Problems.Write(context, StatusCodes.Status429TooManyRequests, "too many open streams from your address", refusal!).ConfigureAwait(false);
            return;
        }

        using var _ = slot; // held until the session released the socket (the end of this request)
        var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = options.TerminalKeepAlive,
            KeepAliveTimeout = options.TerminalKeepAlive,
        }).ConfigureAwait(false);
        var peer = connection.RemoteIpAddress is { } address ? new IPEndPoint(address, connection.RemotePort) : null;
        var channel = new WebSocketChannel(socket, peer, access.Identity(connection.RemoteIpAddress)) { LeaseToken = LeaseTokenOf(context.Request) };

        object? answer;
        try
        {
            answer = await gateway.AskAsync(new ConnectClient(port, channel, listener), context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException) // the gateway itself answers null on no answer
        {
            answer = e;
        }

        if (answer is not Done)
        {
            LogNotConnected(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TerminalEndpoints)), port,
                answer is Exception e ? e.Message : "the port is gone");
            channel.SendControl(new ClosedControl(answer is PortNotFound ? $"there is no port '{port}'" : "the port did not answer"));
            channel.Close();
        }

        // A server that stops waits for open requests: when the daemon stops, close the session's socket with a word.
        using var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() =>
        {
            channel.SendControl(new ClosedControl("the server is stopping"));
            channel.Close();
        });
        try
        {
            // The session owns the socket now; this request must stay open until the socket is released.
            await channel.Closed.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The connection dropped: the session sees its reads fail and releases the socket. Wait for that (bounded),
            // so the socket is not disposed after the request that owns it has ended.
            await Task.WhenAny(channel.Closed, Task.Delay(ReleaseGrace)).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "browser terminal on port {Port} not started: {Reason}")]
    private static partial void LogNotConnected(ILogger logger, string port, string reason);

    /// <summary>The header a program opening the terminal WebSocket presents a lease's token in (the session then holds that lease).</summary>
    public const string LeaseTokenHeader = "X-Lease-Token";

    private static string? LeaseTokenOf(HttpRequest request) =>
        request.Headers[LeaseTokenHeader].ToString() is { Length: > 0 and <= 128 } token ? token.Trim() : null;
}
