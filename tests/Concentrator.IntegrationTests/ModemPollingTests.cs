using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Concentrator.IntegrationTests.Management;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests;

/// <summary>
/// A device's modem inputs are read only while some client wants them (an RFC 2217 client with a non-zero
/// SET-MODEMSTATE-MASK): on a USB adapter every read is a round trip to the device. Counted through the daemon's
/// GET /metrics (concentrator_device_modem_polls_total), on sim:echo, whose DSR/CD follow DTR and CTS follows RTS.
/// </summary>
/// <remarks>
/// "Nothing was polled" is proved against a clock inside the daemon rather than a wall-clock sleep: a second port,
/// <c>clock</c>, is kept polled by a client all along. Its polls come from the same kind of timer on the same
/// scheduler, every 100 ms; once it has been polled <see cref="QuietPolls"/> more times, a port whose poll timer ran
/// would have been polled too, however slowly the daemon is scheduled.
/// </remarks>
public sealed partial class ModemPollingTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>Polls of the clock port that stand for "several poll intervals passed in the daemon".</summary>
    private const int QuietPolls = 6;

    [Fact]
    public async Task Modem_inputs_are_polled_only_while_an_rfc2217_client_wants_them_and_it_still_sees_them_change()
    {
        int raw = FreeTcpPort.Next(), rfc = FreeTcpPort.Next(), clock = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.e {
              device = "sim:echo"
              listeners = [ { port = {{raw}}, protocol = raw }, { port = {{rfc}}, protocol = rfc2217 } ]
            }
            concentrator.ports.clock { device = "sim:echo", listeners = [ { port = {{clock}}, protocol = rfc2217 } ] }
            """));
        daemon.WaitOnline("e", "clock");
        var api = Track(new ApiHttp(daemon.ApiUrl));
        var ticker = Track(TcpClientSession.Connect(clock));
        ticker.Send([0xFF, 0xFB, 44]); // WILL COM-PORT-OPTION, and no mask: it wants every modem event (255)
        await Eventually.TrueAsync(async () => await PollsAsync(api, "clock") > 0, Timeout, () => "the clock port is not polled");

        // A raw client: the device is open and in use, and nobody wants modem state.
        var plain = Track(TcpClientSession.Connect(raw));
        plain.Send("ping");
        Assert.Equal("ping"u8.ToArray(), plain.ReadExactly(4, Timeout));
        await QuietAsync(api); // the behaviour under test: time passes (in the daemon) and nothing is polled
        Assert.Equal(0, await PollsAsync(api));

        // An RFC 2217 client that masks every modem event out (SET-MODEMSTATE-MASK 0) costs no polls either.
        var masked = Track(TcpClientSession.Connect(rfc));
        masked.Send([0xFF, 0xFB, 44, 0xFF, 0xFA, 44, 11, 0x00, 0xFF, 0xF0]); // WILL COM-PORT-OPTION; SET-MODEMSTATE-MASK 0
        masked.ReadUntil(Encoding.Latin1.GetString([0xFF, 0xFA, 44, 111, 0x00, 0xFF, 0xF0]), Timeout); // the server's answer
        await QuietAsync(api);
        Assert.Equal(0, await PollsAsync(api));

        // pyserial (default mask 255) wants modem state: the port is polled and the client sees the lines change.
        await using var py = PySerial.Start();
        await py.OpenAsync(rfc, baudrate: 115200, bytesize: 8, parity: "N", stopbits: 1);
        await Eventually.TrueAsync(async () => await PollsAsync(api) > 0, Timeout, () => "no modem polls while pyserial is connected");
        Assert.True((await py.GetAsync("cts")).GetBoolean());
        await py.OkAsync(new { op = "set", name = "rts", value = false });
        Assert.False((await py.WaitAsync("cts", false, 2.0)).Value, "CTS did not follow RTS off within 2 s");
        await py.OkAsync(new { op = "set", name = "dtr", value = false });
        Assert.False((await py.WaitAsync("dsr", false, 2.0)).Value, "DSR did not follow DTR off within 2 s");
        Assert.False((await py.WaitAsync("cd", false, 2.0)).Value, "CD did not follow DTR off within 2 s");
        await py.OkAsync(new { op = "set", name = "rts", value = true });
        Assert.True((await py.WaitAsync("cts", true, 2.0)).Value, "CTS did not follow RTS on within 2 s");

        // Once it leaves, polling stops again (at most a poll already under way is counted after it left).
        await py.OkAsync(new { op = "close" });
        await Eventually.TrueAsync(async () => await SampleAsync(api, "concentrator_sessions_active", "e", "transport=\"rfc2217\"") == 1,
            Timeout, () => "pyserial's session did not end"); // the masked client stays

        var afterLeaving = await PollsAsync(api);
        await QuietAsync(api);
        Assert.InRange(await PollsAsync(api) - afterLeaving, 0, 1);
        GC.KeepAlive(masked);
        GC.KeepAlive(ticker);
    }

    /// <summary>Waits until the clock port has been polled <see cref="QuietPolls"/> more times.</summary>
    private static async Task QuietAsync(ApiHttp api)
    {
        var until = await PollsAsync(api, "clock") + QuietPolls;
        await Eventually.TrueAsync(async () => await PollsAsync(api, "clock") >= until, Timeout, () => "the clock port stopped being polled");
    }

    private static Task<double> PollsAsync(ApiHttp api, string port = "e") => SampleAsync(api, "concentrator_device_modem_polls_total", port);

    /// <summary>The sum of a metric's samples for <paramref name="port"/> (and <paramref name="label"/>); 0 when there are none yet.</summary>
    private static async Task<double> SampleAsync(ApiHttp api, string name, string port, string? label = null) =>
        (await ScrapeAsync(api)).Where(s => s.Key.StartsWith(name + "{", StringComparison.Ordinal)
            && s.Key.Contains($"port=\"{port}\"", StringComparison.Ordinal)
            && (label is null || s.Key.Contains(label, StringComparison.Ordinal))).Sum(s => s.Value);

    private static async Task<Dictionary<string, double>> ScrapeAsync(ApiHttp api)
    {
        var reply = await api.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        return reply.Text.Split('\n').Select(l => SampleRegex().Match(l)).Where(m => m.Success)
            .ToDictionary(m => m.Groups["key"].Value, m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^(?<key>concentrator_\w+\{[^}]*\}) (?<value>[-+0-9.eE]+|NaN)", RegexOptions.None)]
    private static partial Regex SampleRegex();
}
