using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Concentrator.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Concentrator.Web.Tests;

/// <summary>
/// Issue 27's player: the real daemon records a port; the dashboard's recordings page lists it with who was in it,
/// asciinema-player (embedded by the build) renders it in Chromium, and a click on the timeline seeks to that moment.
/// </summary>
public sealed class RecordingPlayerTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private const float Timeout = 15_000;

    [Fact]
    public async Task The_recordings_page_lists_a_recording_and_the_player_renders_it_and_seeks_to_a_marker()
    {
        using var dir = new TempDirectory("web-recordings-");
        var tcp = FreeTcpPort.Next();
        using var daemon = new Daemon($$"""
            concentrator.recordings { dir = "{{Path.Combine(dir.FullName, "casts")}}" }
            concentrator.ports.rec { device = "sim:echo", recording = all, listeners = [{ protocol = raw, port = {{tcp}} }] }
            concentrator.api.allow-anonymous-actions = on
            """);
        await daemon.WaitReadyAsync("rec");

        // A session types two lines; the echo plug prints them back; the session leaves and the recording ends.
        using (var client = new TcpClient())
        {
            await client.ConnectAsync("127.0.0.1", tcp);
            var stream = client.GetStream();
            foreach (var line in new[] { "first line\r\n", "second line\r\n" })
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(line));
                var echoed = new byte[line.Length];
                await stream.ReadExactlyAsync(echoed);
            }
        }

        using var http = new HttpClient();
        var started = DateTimeOffset.MinValue;
        await Eventually.TrueAsync(async () =>
        {
            var list = JsonDocument.Parse(await http.GetStringAsync($"{daemon.ApiUrl}/ports/rec/recordings.json")).RootElement;
            var ended = list.GetProperty("recordings").EnumerateArray().Where(r => !r.GetProperty("active").GetBoolean()).ToList();
            started = ended.Count > 0 ? ended[0].GetProperty("started").GetDateTimeOffset() : started;
            return ended.Count > 0;
        }, TimeSpan.FromSeconds(30), () => "the recording did not end");

        var page = await browser.NewPageAsync();
        page.Console += (_, message) => output.WriteLine($"console: {message.Text}");
        await page.GotoAsync($"{daemon.ApiUrl}/ports/rec/recordings");
        var row = page.Locator("#list tbody tr");
        await Expect(row).ToHaveCountAsync(1, new() { Timeout = Timeout });
        await Expect(row).ToContainTextAsync("*"); // the anonymous principal was in it
        // Search by who and when.
        await page.FillAsync("#search", "alice");
        await Expect(row).ToBeHiddenAsync();
        await page.FillAsync("#search", $"* {started.UtcDateTime:yyyy-MM-dd HH:mm}");
        await Expect(row).ToBeVisibleAsync();
        await row.Locator("button", new() { HasText = "Play" }).ClickAsync();

        // The player is there, with the recording's markers on its timeline; nothing is shown before it plays.
        await Expect(page.Locator("#player .ap-player")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Expect(page.Locator("#timeline li.typing")).ToHaveCountAsync(1, new() { Timeout = Timeout });
        await Expect(page.Locator("#timeline li.join")).ToContainTextAsync("join * (session 1, raw, read-write)");
        Assert.DoesNotContain("second line", await page.Locator("#player").InnerTextAsync(), StringComparison.Ordinal);

        // Seek to the end marker: the terminal shows what the console showed then.
        await page.Locator("#timeline li.end button").ClickAsync();
        await Expect(page.Locator("#player .ap-term")).ToContainTextAsync("second line", new() { Timeout = Timeout });
        await Expect(page.Locator("#player .ap-term")).ToContainTextAsync("first line");
        var at = await page.EvaluateAsync<double>("() => window.concentratorPlayer.getCurrentTime()");
        var end = await page.EvaluateAsync<double>("() => window.concentratorPlayer.getDuration()");
        Assert.True(at > 0 && Math.Abs(at - end) < 0.5, $"seeked to {at} s of {end} s");
        var shot = Path.Combine(BrowserFixture.Artifacts, "recording-player.png");
        await page.Locator("main").ScreenshotAsync(new LocatorScreenshotOptions { Path = shot });
        output.WriteLine($"screenshot: {shot}");
    }
}
