using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Akka.Hosting;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Hosting;
using Concentrator.Ports.Listener;
using Concentrator.Testing;
using Concentrator.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Concentrator.Bench;

/// <summary>
/// The browser terminal's row: bytes per second from a device to a browser-terminal WebSocket session (what xterm.js
/// receives), and the serving process's CPU per MB, beside a raw TCP session of the same port in the same process.
/// </summary>
/// <remarks>
/// The daemon does not serve the dashboard yet (it joins the management API's host once both are merged), so the
/// serving process is this bench run as a child in <see cref="HostFlag"/> mode: the same Kestrel + Akka.Hosting +
/// ports supervisor + <c>MapConcentratorDashboard()</c> the daemon will run, with the daemon's thread-pool setting.
/// Once <c>concentrator serve</c> serves the dashboard, <see cref="StartHost"/> becomes
/// <see cref="Servers.StartConcentrator"/> with an <c>api { port = N }</c> block and nothing else here changes.
/// </remarks>
internal static class WebTerminal
{
    /// <summary>Child-process mode: <c>concentrator-bench --web-host CONFIG HTTP-PORT</c>.</summary>
    public const string HostFlag = "--web-host";

    private static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Serves CONFIG's ports with the dashboard on 127.0.0.1:<paramref name="httpPort"/> until killed.</summary>
    public static int RunHost(string configPath, int httpPort)
    {
        var config = ConfigLoader.LoadFile(configPath);
        if (!config.IsValid)
        {
            Console.Error.WriteLine(string.Join("\n", config.Errors));
            return 2;
        }

        var settings = config.Settings!;
        using var listeners = ListenerBinder.BindAll(settings);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, httpPort));
        builder.Logging.ClearProviders();
        builder.Services.AddAkka("bench-web", (akka, _) =>
        {
            akka.AddHocon("akka.loglevel = INFO\nakka.log-dead-letters = off", HoconAddMode.Prepend);
            akka.AddConcentratorPorts(settings, listeners);
        });
        builder.Services.AddConcentratorDashboard();
        using var app = builder.Build();
        app.MapConcentratorDashboard();
        app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"web host: dashboard on http://127.0.0.1:{httpPort}"));
        app.Run();
        return 0;
    }

    /// <summary>A dashboard host serving one pty-backed port "p0" with a raw TCP listener.</summary>
    public static (ServerInstance Server, int HttpPort) StartHost()
    {
        var server = new ServerInstance();
        try
        {
            var device = VirtualSerialDevice.CreateTemp("bench-web");
            var tcp = FreeTcpPort.Next();
            var http = FreeTcpPort.Next();
            server.AddDevice(device, tcp);
            var config = Path.Combine(Path.GetTempPath(), $"bench-web-{Guid.NewGuid():N}.conf");
            File.WriteAllText(config, string.Create(CultureInfo.InvariantCulture,
                $"concentrator.ports.p0 {{\n  device = \"{device.LinkPath}\"\n  baud = 115200\n" +
                $"  listeners = [ {{ port = {tcp}, bind = \"127.0.0.1\", protocol = raw }} ]\n}}\n"));
            server.AddTempFile(config);
            var process = ManagedProcess.Start("dotnet", [typeof(WebTerminal).Assembly.Location, HostFlag, config, http.ToString(CultureInfo.InvariantCulture)],
                new Dictionary<string, string> { ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0" }); // as the daemon's runtimeconfig
            server.AddProcess(process);
            process.WaitUntil(o => o.Contains("port p0: online", StringComparison.Ordinal) && o.Contains("web host:", StringComparison.Ordinal),
                TimeSpan.FromSeconds(90), "the port online and the dashboard listening");
            ProcFs.WaitListening([tcp, http], process, TimeSpan.FromSeconds(30));
            return (server, http);
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Streams <paramref name="bytes"/> of the pattern from the device to a browser-terminal WebSocket session and
    /// verifies every byte (text frames, the session's control messages, are skipped).
    /// </summary>
    public static async Task<ThroughputResult> ThroughputAsync(VirtualSerialDevice device, int httpPort, long bytes, int serverPid)
    {
        using var socket = new ClientWebSocket();
        using (var connect = new CancellationTokenSource(IoTimeout))
        {
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{httpPort}/api/ports/p0/terminal"), connect.Token);
        }

        var buffer = new byte[Pattern.MaxSlice];
        var seen = new StringBuilder();
        // Nothing was printed before (no replay); the marker proves the session is admitted and live.
        const string Marker = "bench-sync-web\r\n";
        device.Write(Marker);
        using (var sync = new CancellationTokenSource(IoTimeout))
        {
            while (!seen.ToString().EndsWith(Marker, StringComparison.Ordinal))
            {
                var r = await socket.ReceiveAsync(buffer, sync.Token);
                if (r.MessageType == WebSocketMessageType.Binary)
                {
                    seen.Append(Encoding.ASCII.GetString(buffer, 0, r.Count));
                }
            }
        }

        Exception? writerError = null;
        var writer = new Thread(() =>
        {
            try
            {
                for (long pos = 0; pos < bytes;)
                {
                    var n = (int)Math.Min(64 * 1024, bytes - pos);
                    device.Write(Pattern.Slice(pos, n));
                    pos += n;
                }
            }
            catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException or ObjectDisposedException)
            {
                writerError = e;
            }
        })
        { IsBackground = true, Name = "bench-web-writer" };

        var cpu0 = ProcFs.CpuTicks(serverPid);
        var t0 = Stopwatch.GetTimestamp();
        writer.Start();
        long received = 0;
        string? error = null;
        try
        {
            while (received < bytes)
            {
                using var stall = new CancellationTokenSource(IoTimeout);
                var r = await socket.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, bytes - received)), stall.Token);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    throw new IOException($"the server closed the WebSocket: {socket.CloseStatusDescription}");
                }

                if (r.MessageType != WebSocketMessageType.Binary)
                {
                    continue;
                }

                if (!Pattern.Matches(buffer.AsSpan(0, r.Count), received))
                {
                    throw new InvalidDataException(await ExplainMismatchAsync(socket, buffer, r.Count, received));
                }

                received += r.Count;
            }
        }
        catch (Exception e) when (e is IOException or WebSocketException or OperationCanceledException or InvalidDataException)
        {
            error = $"after {received} of {bytes} bytes: {e.Message}";
        }

        var seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        var cpuTicks = ProcFs.CpuTicks(serverPid) - cpu0;
        writer.Join(TimeSpan.FromSeconds(5));
        return ThroughputResult.Of(received, seconds, cpuTicks, error ?? writerError?.Message);
    }

    /// <summary>
    /// A browser terminal that falls a whole output queue behind loses its oldest output (drop-oldest) and is told so in
    /// a notice that follows the queued output; read on a little to tell that from corruption.
    /// </summary>
    private static async Task<string> ExplainMismatchAsync(ClientWebSocket socket, byte[] buffer, int count, long position)
    {
        var text = new StringBuilder(Encoding.Latin1.GetString(buffer, 0, count));
        using var more = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            while (text.Length < 8 << 20 && !text.ToString().Contains("[concentrator:", StringComparison.Ordinal))
            {
                var r = await socket.ReceiveAsync(buffer, more.Token);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                text.Append(Encoding.Latin1.GetString(buffer, 0, r.Count));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // nothing more came
        }

        var all = text.ToString();
        var notice = all.IndexOf("[concentrator:", StringComparison.Ordinal);
        return notice >= 0
            ? $"the session fell behind and dropped output from byte {position}: {all[notice..(all.IndexOf(']', notice) + 1)]}"
            : $"corrupted data in bytes {position}..{position + count}";
    }
}
