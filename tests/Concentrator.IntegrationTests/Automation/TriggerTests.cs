using System.Net;
using System.Text.Json;
using Concentrator.IntegrationTests.Management;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Automation;

/// <summary>
/// Issue 24, triggers on a real daemon: output from the echo device (sent with expect) raises and clears rules whose
/// webhooks reach a real HTTP receiver started here; a rate limit and a raised rule hold back what they should (proved
/// by a sentinel rule whose webhook comes after, on the same ordered queue); the console log gets bookmarks, the
/// metric counts, a command runs, and a rule revokes the port's lease.
/// </summary>
public sealed class TriggerTests : IntegrationTest
{
    private readonly TempDirectory _dir;

    public TriggerTests() => _dir = Track(new TempDirectory("triggers"));

    private (DaemonProcess Daemon, ApiHttp Api) Serve(Uri hook)
    {
        var log = Path.Combine(_dir.FullName, "echo.log");
        var daemon = Track(DaemonProcess.Start($$"""
        concentrator {
          ports {
            echo {
              device = "sim:echo"
              log { file = "{{log}}" }
              listeners = [ { port = {{FreeTcpPort.Next()}}, protocol = raw } ]
              triggers {
                panic { match = "Kernel panic", clear = "login:", webhook = "{{hook}}" }
                flood { match = "FLOOD-\\d", webhook = "{{hook}}", at-most = "2/1h" }
                page { match = "PAGE", command = ["/bin/echo", "paged-ops"] }
                revoke { match = "WATCHDOG", revoke-lease = on }
                sentinel { match = "SENTINEL-(\\d+)", webhook = "{{hook}}" }
              }
            }
          }
          api.allow-anonymous-actions = on
        }
        """));
        daemon.WaitOnline("echo");
        return (daemon, Track(new ApiHttp(daemon.ApiUrl)));
    }

    private static async Task SendAsync(ApiHttp api, string text)
    {
        var reply = await api.PostAsync("/api/ports/echo/expect", JsonSerializer.Serialize(new { send = text, pattern = System.Text.RegularExpressions.Regex.Escape(text), timeout = "10s" }));
        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
    }

    /// <summary>concentrator_trigger_matches_total for the echo port's trigger, from a real scrape.</summary>
    private static async Task<double> MatchesAsync(ApiHttp api, string trigger)
    {
        var text = (await api.GetAsync("/metrics")).Text;
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("concentrator_trigger_matches_total{", StringComparison.Ordinal)
            && l.Contains("port=\"echo\"", StringComparison.Ordinal) && l.Contains($"trigger=\"{trigger}\"", StringComparison.Ordinal));
        Assert.True(line is not null, text);
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static List<string> Seen(IReadOnlyList<JsonElement> bodies) =>
        [.. bodies.Select(b => $"{b.GetProperty("trigger").GetString()} {b.GetProperty("state").GetString()} {b.GetProperty("match").GetString()}")];

    [Fact]
    public async Task A_panic_raises_once_until_login_clears_it_and_the_webhook_reaches_a_real_receiver_after_a_failure()
    {
        using var receiver = Track(new WebhookReceiver(failFirst: 1));
        var (daemon, api) = Serve(receiver.Url);

        await SendAsync(api, "boot\r\nKernel panic - not syncing\r\n");
        receiver.WaitFor("panic");
        Assert.Equal(2, receiver.Requests); // the first attempt got 503: retried
        var view = await api.GetAsync("/api/ports/echo");
        Assert.Equal(["panic"], view.Json.GetProperty("raisedTriggers").EnumerateArray().Select(e => e.GetString()));

        // Raised: another panic does nothing until login: clears it.
        await SendAsync(api, "Kernel panic again\r\n");
        await SendAsync(api, "SENTINEL-1\r\n");
        Assert.Equal(["panic raised Kernel panic", "sentinel raised SENTINEL-1"], Seen(receiver.WaitFor("sentinel")));
        await SendAsync(api, "demo login: ");
        await SendAsync(api, "SENTINEL-2");
        receiver.WaitFor("panic", "cleared");
        var bodies = receiver.WaitFor("sentinel", "raised");
        Eventually.True(() => receiver.Accepted.Count == 4, TimeSpan.FromSeconds(20), () => string.Join(", ", Seen(receiver.Accepted)));
        Assert.Equal(["panic raised Kernel panic", "sentinel raised SENTINEL-1", "panic cleared login:", "sentinel raised SENTINEL-2"],
            Seen(receiver.Accepted));
        var raised = receiver.Accepted[0];
        Assert.Equal("echo", raised.GetProperty("port").GetString());
        Assert.True(raised.GetProperty("end").GetInt64() - raised.GetProperty("start").GetInt64() == "Kernel panic".Length);
        Assert.True(raised.GetProperty("time").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Empty((await api.GetAsync("/api/ports/echo")).Json.GetProperty("raisedTriggers").EnumerateArray());
        GC.KeepAlive(bodies);

        // The console log has bookmarks, and the metric counts the matches.
        var log = Path.Combine(_dir.FullName, "echo.log");
        Eventually.True(() => File.ReadAllText(log).Contains("trigger panic cleared", StringComparison.Ordinal), TimeSpan.FromSeconds(10),
            () => File.ReadAllText(log));
        Assert.Contains("trigger panic raised: \"Kernel panic\"", File.ReadAllText(log), StringComparison.Ordinal);
        Assert.Equal(1, await MatchesAsync(api, "panic"));
        daemon.WaitFor("trigger panic raised");
    }

    [Fact]
    public async Task A_rate_limit_holds_back_firings_past_its_count_a_command_runs_and_a_rule_revokes_the_lease()
    {
        using var receiver = Track(new WebhookReceiver());
        var (daemon, api) = Serve(receiver.Url);

        await SendAsync(api, "FLOOD-1 FLOOD-2 FLOOD-3 FLOOD-4\r\n");
        await SendAsync(api, "SENTINEL-1\r\n");
        receiver.WaitFor("sentinel");
        Assert.Equal(["flood raised FLOOD-1", "flood raised FLOOD-2", "sentinel raised SENTINEL-1"], Seen(receiver.Accepted));
        Assert.Equal(4, await MatchesAsync(api, "flood")); // all four matched; two were held back

        await SendAsync(api, "PAGE\r\n");
        daemon.WaitFor("trigger page: command /bin/echo exited 0: paged-ops");

        var lease = await api.PostAsync("/api/leases", """{"port":"echo","ttl":"10m","holder":"alice"}""");
        Assert.Equal(HttpStatusCode.Created, lease.Status);
        await SendAsync(api, "WATCHDOG\r\n");
        await Eventually.TrueAsync(async () => (await api.GetAsync("/api/leases")).Json.GetProperty("leases").GetArrayLength() == 0,
            TimeSpan.FromSeconds(20), () => "the lease was not revoked");
        daemon.WaitFor("trigger revoke revokes lease");
    }

    [Fact]
    public async Task A_reload_that_adds_a_trigger_applies_it_to_output_from_then_on()
    {
        using var receiver = Track(new WebhookReceiver());
        var tcp = FreeTcpPort.Next();
        string Config(string triggers) => $$"""
            concentrator {
              ports { echo { device = "sim:echo", listeners = [ { port = {{tcp}}, protocol = raw } ]
                             {{triggers}} } }
              api.allow-anonymous-actions = on
            }
            """;
        var daemon = Track(DaemonProcess.Start(Config("")));
        daemon.WaitOnline("echo");
        var api = Track(new ApiHttp(daemon.ApiUrl));
        await SendAsync(api, "ALARM before the rule\r\n");

        daemon.RewriteConfig(Config($$"""triggers { alarm { match = "ALARM \\w+", webhook = "{{receiver.Url}}" } }"""));
        daemon.Hangup();
        daemon.WaitFor("reload by SIGHUP: 0 added, 0 removed, 1 changed");
        await SendAsync(api, "ALARM after\r\n");
        receiver.WaitFor("alarm");
        Assert.Equal(["alarm raised ALARM after"], Seen(receiver.Accepted)); // the output before the reload is not matched again
    }
}
