using System.Diagnostics;
using System.Text;
using Concentrator.Devices.Simulated;
using Concentrator.Ports.Port;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Concentrator.Web.Tests;

/// <summary>
/// The dashboard and the browser terminal as a person uses them: headless Chromium on the in-process host, typing
/// into xterm.js and clicking the dashboard's buttons. One browser for the class; each test opens its own pages.
/// </summary>
public sealed class DashboardBrowserTests(DashboardHost host, BrowserFixture browser, ITestOutputHelper output)
    : IClassFixture<DashboardHost>, IClassFixture<BrowserFixture>
{
    private const float Timeout = 10_000;

    /// <summary>The bench port's row in the dashboard.</summary>
    private static ILocator Row(IPage page, string port) => page.Locator($"tr[data-port=\"{port}\"]");

    private async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(BrowserFixture.Artifacts, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        output.WriteLine($"screenshot: {path}");
        return path;
    }

    private static Task WaitForTextAsync(IPage page, string text) =>
        page.WaitForFunctionAsync("text => window.concentratorTerminal?.text().includes(text)", text,
            new PageWaitForFunctionOptions { Timeout = Timeout });

    private static Task<string> TerminalTextAsync(IPage page) => page.EvaluateAsync<string>("() => window.concentratorTerminal.text()");

    private async Task<IPage> OpenTerminalAsync(string port, bool readOnly = false)
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"{host.BaseUrl}/ports/{port}/terminal{(readOnly ? "?mode=read-only" : "")}");
        await Expect(page.Locator("body[data-role]")).ToBeVisibleAsync(new() { Timeout = Timeout }); // admitted, role known
        return page;
    }

    [Fact]
    public async Task The_dashboard_lists_the_ports_live_filters_by_tag_changes_the_baud_and_shows_an_unplugged_device_offline_within_a_second()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.BaseUrl + "/");

        await Expect(Row(page, "demo").Locator(".badge.online")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Expect(Row(page, "bench").Locator(".badge.online")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Expect(Row(page, "demo")).ToContainTextAsync("sim:demo");
        await Expect(Row(page, "demo")).ToContainTextAsync("rack-1");
        await Expect(Row(page, "bench")).ToContainTextAsync("9600 8N1");
        await Expect(page.Locator("#feed")).ToHaveTextAsync("live");
        await Expect(page.Locator("#cluster")).ToBeHiddenAsync(); // a single host: no nodes strip, no node on the rows
        await Expect(page.Locator(".node-of")).ToHaveCountAsync(0);

        // Filter by tag: clicking a tag shows only the ports that carry it.
        await Row(page, "bench").Locator(".tag", new() { HasText = "rack-2" }).ClickAsync();
        await Expect(Row(page, "demo")).ToBeHiddenAsync();
        await Expect(Row(page, "bench")).ToBeVisibleAsync();
        await page.FillAsync("#filter", "demo");
        await Expect(Row(page, "bench")).ToBeHiddenAsync();
        await page.FillAsync("#filter", "");
        await Expect(Row(page, "bench")).ToBeVisibleAsync();

        // Change the baud from the dashboard: the row follows when the device has applied it.
        await Row(page, "bench").Locator("select").SelectOptionAsync("19200");
        await Row(page, "bench").Locator("button", new() { HasText = "Set" }).ClickAsync();
        await Expect(Row(page, "bench")).ToContainTextAsync("19200 8N1", new() { Timeout = Timeout });
        await Expect(page.Locator("#toast")).ToContainTextAsync("19200");
        await ScreenshotAsync(page, "dashboard");

        // Unplug the adapter: the open dashboard is told, without polling.
        var offline = Row(page, "bench").Locator(".badge.offline");
        var clock = Stopwatch.StartNew();
        host.Pty.Unplug();
        await Expect(offline).ToBeVisibleAsync(new() { Timeout = 1000 });
        output.WriteLine($"offline shown {clock.ElapsedMilliseconds} ms after the unplug");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"offline shown after {clock.ElapsedMilliseconds} ms");
        await ScreenshotAsync(page, "dashboard-offline");

        host.Pty.Replug();
        await Expect(Row(page, "bench").Locator(".badge.online")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Expect(Row(page, "bench")).ToContainTextAsync("reopens 1");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_terminal_shows_the_demo_login_prompt_and_runs_uname_after_logging_in()
    {
        var page = await OpenTerminalAsync("demo");
        await WaitForTextAsync(page, DemoConsole.LoginPrompt.TrimEnd()); // the scrollback replays the boot log
        await Expect(page.Locator("#role")).ToHaveTextAsync("read-write");

        await page.Keyboard.PressAsync("Enter"); // a fresh prompt, whatever the console showed before
        await page.Keyboard.TypeAsync("root");
        await page.Keyboard.PressAsync("Enter");
        await WaitForTextAsync(page, DemoConsole.PasswordPrompt.TrimEnd());
        await page.Keyboard.TypeAsync("demo");
        await page.Keyboard.PressAsync("Enter");
        await WaitForTextAsync(page, DemoConsole.ShellPrompt.TrimEnd());
        await page.Keyboard.TypeAsync("uname -a");
        await page.Keyboard.PressAsync("Enter");
        await WaitForTextAsync(page, "Linux demo 5.15.0-demo #1 SMP PREEMPT armv7l GNU/Linux");
        await ScreenshotAsync(page, "terminal");

        await page.Keyboard.TypeAsync("exit"); // leave the shared demo console at its login prompt
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync("() => window.concentratorTerminal.text().trimEnd().endsWith('demo login:')", null,
            new PageWaitForFunctionOptions { Timeout = Timeout });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_read_only_terminal_sees_the_device_but_its_keystrokes_never_reach_it()
    {
        var monitor = await OpenTerminalAsync("bench", readOnly: true);
        await Expect(monitor.Locator("#role")).ToHaveTextAsync("read-only");
        var writer = await OpenTerminalAsync("bench");
        await Expect(writer.Locator("#role")).ToHaveTextAsync("read-write");
        host.Pty.ReadAvailable(TimeSpan.FromMilliseconds(50)); // nothing from earlier tests
        var before = (await host.Ports.GetAsync("bench"))!.Counters.BytesToDevice;

        host.Pty.Write("hello from the device\r\n");
        await WaitForTextAsync(monitor, "hello from the device");
        await WaitForTextAsync(writer, "hello from the device");

        // The monitor types: the port refuses it and says so; the device gets nothing.
        await monitor.Locator("#terminal").ClickAsync();
        await monitor.Keyboard.TypeAsync("reboot");
        await monitor.Keyboard.PressAsync("Enter");
        await WaitForTextAsync(monitor, "read-only: your input is not sent to the device");
        await ScreenshotAsync(monitor, "terminal-monitor");

        // The writer types: that reaches the device, so the silence above was the monitor's and not the test's.
        await writer.Locator("#terminal").ClickAsync();
        await writer.Keyboard.TypeAsync("ok");
        // The device's next bytes are exactly the writer's "ok", and its counter says nothing else was written.
        Assert.Equal("ok", Encoding.ASCII.GetString(await host.Pty.ReadExactlyAsync(2, TimeSpan.FromSeconds(10))));
        var after = await host.WaitForAsync("bench", s => s.Counters.BytesToDevice == before + 2, "2 bytes written");
        Assert.Equal(before + 2, after.Counters.BytesToDevice);
        Assert.Contains(after.Sessions, s => s.Protocol == "web" && s.Role == "read-only" && s.Principal == "local");

        await monitor.Context.CloseAsync();
        await writer.Context.CloseAsync();
    }

    [Fact]
    public async Task A_session_kicked_from_the_dashboard_sees_why_in_its_terminal()
    {
        var terminal = await OpenTerminalAsync("demo");
        var session = await terminal.EvaluateAsync<int>("() => window.concentratorTerminal.status.session");
        var dashboard = await browser.NewPageAsync();
        await dashboard.GotoAsync(host.BaseUrl + "/");
        var kick = dashboard.Locator($"button[data-kick=\"demo:{session}\"]");
        await Expect(kick).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Expect(Row(dashboard, "demo")).ToContainTextAsync("local");
        await ScreenshotAsync(dashboard, "dashboard-session");

        await kick.ClickAsync();

        await Expect(terminal.Locator("#state")).ToHaveTextAsync("closed", new() { Timeout = Timeout });
        await WaitForTextAsync(terminal, "disconnected by local (dashboard)");
        await Expect(terminal.Locator("#reason")).ToContainTextAsync("kicked by local (dashboard)");
        await Expect(kick).ToBeHiddenAsync(new() { Timeout = Timeout }); // the dashboard saw the session leave
        await ScreenshotAsync(terminal, "terminal-kicked");
        Assert.Contains("[connection closed: kicked by local (dashboard)]", await TerminalTextAsync(terminal));

        await terminal.Context.CloseAsync();
        await dashboard.Context.CloseAsync();
    }

    [Fact]
    public async Task The_power_buttons_of_a_port_switch_its_power_after_a_second_click_and_say_what_the_command_said()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.BaseUrl + "/");
        var cycle = Row(page, "demo").Locator("button[data-power=\"cycle\"]");
        await Expect(cycle).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Expect(Row(page, "bench").Locator("button[data-power]")).ToHaveCountAsync(0); // no power control there

        await cycle.ClickAsync(); // armed only: the sentinel below proves it switched nothing
        await Expect(cycle).ToHaveTextAsync("Power cycle?");
        await Row(page, "demo").Locator("button[data-power=\"status\"]").ClickAsync();
        await Expect(page.Locator("#toast")).ToContainTextAsync("power status on demo: ok outlet 2 is on", new() { Timeout = Timeout });
        Assert.False(File.Exists(host.PowerMarker));

        await cycle.ClickAsync();
        await Expect(page.Locator("#toast")).ToContainTextAsync("power cycle on demo: ok outlet 2 cycled", new() { Timeout = Timeout });
        Assert.Equal("cycle\n", await File.ReadAllTextAsync(host.PowerMarker));
        await ScreenshotAsync(page, "dashboard-power");
    }

    [Fact]
    public async Task A_raised_trigger_shows_on_the_port_row_until_its_clear_pattern_clears_it()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.BaseUrl + "/");
        await Expect(Row(page, "bench").Locator(".badge.online")).ToBeVisibleAsync(new() { Timeout = Timeout });
        var raised = Row(page, "bench").Locator(".raised");
        await Expect(raised).ToHaveCountAsync(0);

        host.Pty.Write("\r\nKernel panic - not syncing: VFS\r\n");
        await Expect(raised).ToHaveTextAsync("raised: panic", new() { Timeout = Timeout });
        await ScreenshotAsync(page, "dashboard-trigger-raised");
        host.Pty.Write("\r\nbench login: ");
        await Expect(raised).ToHaveCountAsync(0, new() { Timeout = Timeout });
    }
}
