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
public sealed partial class ModemPollingTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>Several poll intervals (100 ms): long enough that a port being polled would show it.</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(600);

    [Fact]
    public async Task Modem_inputs_are_polled_only_while_an_rfc2217_client_wants_them_and_it_still_sees_them_change()
    {
        int raw = FreeTcpPort.Next(), rfc = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.e {
              device = "sim:echo"
              listeners = [ { port = {{raw}}, protocol = raw }, { port = {{rfc}}, protocol = rfc2217 } ]
            }
            """));
        daemon.WaitOnline("e");
        var api = Track(new ApiHttp(daemon.ApiUrl));

        // A raw client: the device is open and in use, and nobody wants modem state.
        var plain = Track(TcpClientSession.Connect(raw));
        plain.Send("ping");
        Assert.Equal("ping"u8.ToArray(), plain.ReadExactly(4, Timeout));
        await Task.Delay(Quiet); // the behaviour under test: time passes and nothing is polled
        Assert.Equal(0, await PollsAsync(api));

        // An RFC 2217 client that masks every modem event out (SET-MODEMSTATE-MASK 0) costs no polls either.
        var masked = Track(TcpClientSession.Connect(rfc));
        masked.Send([0xFF, 0xFB, 44, 0xFF, 0xFA, 44, 11, 0x00, 0xFF, 0xF0]); // WILL COM-PORT-OPTION; SET-MODEMSTATE-MASK 0
        masked.ReadUntil(Encoding.Latin1.GetString([0xFF, 0xFA, 44, 111, 0x00, 0xFF, 0xF0]), Timeout); // the server's answer
        await Task.Delay(Quiet);
        Assert.Equal(0, await PollsAsync(api));

        // pyserial (default mask 255) wants modem state: the port is polled and the client sees the lines change.
        await using var py = PySerial.Start();
        await py.OpenAsync(rfc, baudrate: 115200, bytesize: 8, parity: "N", stopbits: 1);
        await EventuallyAsync(async () => await PollsAsync(api) > 0, "no modem polls while pyserial is connected");
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
        await EventuallyAsync(async () => await SampleAsync(api, "concentrator_sessions_active", "transport=\"rfc2217\"") == 1,
            "pyserial's session did not end"); // the masked client stays

        var afterLeaving = await PollsAsync(api);
        await Task.Delay(Quiet);
        Assert.InRange(await PollsAsync(api) - afterLeaving, 0, 1);
        GC.KeepAlive(masked);
    }

    private static Task<double> PollsAsync(ApiHttp api) => SampleAsync(api, "concentrator_device_modem_polls_total");

    /// <summary>The sum of a metric's samples for port e (and <paramref name="label"/>); 0 when there are none yet.</summary>
    private static async Task<double> SampleAsync(ApiHttp api, string name, string? label = null) =>
        (await ScrapeAsync(api)).Where(s => s.Key.StartsWith(name + "{", StringComparison.Ordinal)
            && s.Key.Contains("port=\"e\"", StringComparison.Ordinal)
            && (label is null || s.Key.Contains(label, StringComparison.Ordinal))).Sum(s => s.Value);

    private static async Task<Dictionary<string, double>> ScrapeAsync(ApiHttp api)
    {
        var reply = await api.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        return reply.Text.Split('\n').Select(l => SampleRegex().Match(l)).Where(m => m.Success)
            .ToDictionary(m => m.Groups["key"].Value, m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail(failure);
            }

            await Task.Delay(20);
        }
    }

    [GeneratedRegex(@"^(?<key>concentrator_\w+\{[^}]*\}) (?<value>[-+0-9.eE]+|NaN)", RegexOptions.None)]
    private static partial Regex SampleRegex();
}
