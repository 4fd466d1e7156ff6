using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Concentrator.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Concentrator.Web.Tests;

/// <summary>
/// Users of the users file on the dashboard: signed in with their password, they are the same principal a password
/// listener makes of them, so the ports' ACLs ("alice", "@group") decide their terminals and scrollback. A real daemon,
/// set up as the demo (allow-anonymous-actions = on), with ports that admit alice's group and ports that do not.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // users file modes are POSIX
public sealed class DashboardPasswordLoginTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private const float Timeout = 10_000;
    private const string AlicePassword = "correct horse battery";
    private const string WrongPassword = "Tr0ub4dor&3-guess";

    private static ILocator Row(IPage page, string port) => page.Locator($"tr[data-port=\"{port}\"]");

    private static string UsersFile(TempDirectory users) => Path.Combine(users.FullName, "users");

    /// <summary>A daemon with users alice (group lab) and bob; port lab admits @lab, port vault only bob.</summary>
    private static (Daemon Daemon, TempDirectory Users, int Telnet) Serve(int loginAttempts = 5)
    {
        var users = new TempDirectory("web-users-");
        var file = UsersFile(users);
        AttackPages.WriteUsersFile(file, ("alice", AlicePassword, ["lab"]), ("bob", "bob's secret", []));
        var telnet = FreeTcpPort.Next();
        var daemon = new Daemon($$"""
            concentrator.security { users-file = "{{file}}", login-attempts = {{loginAttempts}} }
            concentrator.ports.lab {
              device = "sim:echo"
              acl { read-write = ["@lab"] }
              listeners = [{ protocol = raw, port = {{FreeTcpPort.Next()}} }, { protocol = telnet, port = {{telnet}}, auth = password }]
            }
            concentrator.ports.vault { device = "sim:echo", acl { read-write = ["bob"] }, listeners = [{ protocol = raw, port = {{FreeTcpPort.Next()}} }] }
            concentrator.api.allow-anonymous-actions = on
            """);
        return (daemon, users, telnet);
    }

    [Fact]
    public async Task A_user_signs_in_with_a_password_and_gets_the_terminals_and_scrollback_the_ports_acls_give_her_and_no_actions()
    {
        var (daemon, users, _) = Serve();
        using (users)
        using (daemon)
        {
            try
            {
                await daemon.WaitReadyAsync("lab", "vault");
                await SignInAndUseAsync(daemon);
            }
            catch
            {
                output.WriteLine(daemon.Output);
                throw;
            }
        }
    }

    private async Task SignInAndUseAsync(Daemon daemon)
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(daemon.ApiUrl + "/login");

        // A wrong password: 401, the form again with why.
        await page.FillAsync("#user-login input[name=user]", "alice");
        await page.FillAsync("#user-login input[name=password]", WrongPassword);
        var refused = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#user-login button"), r => r.Url.EndsWith("/login", StringComparison.Ordinal));
        Assert.Equal(401, refused.Status);
        await Expect(page.Locator("#problem")).ToHaveTextAsync("wrong user name or password");
        await ScreenshotAsync(page, "login-refused");

        await page.FillAsync("#user-login input[name=user]", "alice");
        await page.FillAsync("#user-login input[name=password]", AlicePassword);
        await page.ClickAsync("#user-login button");
        await Expect(page.Locator("#who")).ToHaveTextAsync("alice · viewer", new() { Timeout = Timeout });
        await Expect(Row(page, "vault")).ToBeVisibleAsync();
        await Expect(Row(page, "lab").Locator("button", new() { HasText = "Break" })).ToHaveCountAsync(0); // actions are for admin tokens
        await ScreenshotAsync(page, "dashboard-user");

        // Port lab names her group: a read-write terminal, as alice.
        var lab = await page.Context.NewPageAsync();
        await lab.GotoAsync(daemon.ApiUrl + "/ports/lab/terminal");
        await Expect(lab.Locator("#role")).ToHaveTextAsync("read-write", new() { Timeout = Timeout });
        await lab.Locator("#terminal").ClickAsync();
        await lab.Keyboard.TypeAsync("hello from alice");
        await lab.WaitForFunctionAsync("() => window.concentratorTerminal.text().includes('hello from alice')", null, new() { Timeout = Timeout });
        await daemon.WaitForOutputAsync("session \\d+ on port lab: .* connected as alice \\(web, read-write\\)");
        await Expect(Row(page, "lab")).ToContainTextAsync("alice", new() { Timeout = Timeout }); // the dashboard's session list
        await ScreenshotAsync(lab, "terminal-user");

        // Port vault names only bob: refused, with the port's own words.
        var vault = await page.Context.NewPageAsync();
        await vault.GotoAsync(daemon.ApiUrl + "/ports/vault/terminal");
        await vault.WaitForFunctionAsync("() => window.concentratorTerminal?.text().includes('alice may not use port vault')", null, new() { Timeout = Timeout });
        await Expect(vault.Locator("#state")).ToHaveTextAsync("closed", new() { Timeout = Timeout });
        await daemon.WaitForOutputAsync("port vault: refused .* \\(alice\\): alice is not in the acl of port vault");

        // Actions stay with admin tokens, whatever the ports' ACLs say.
        Assert.Equal(403, await page.EvaluateAsync<int>("async () => (await fetch('/ui/ports/lab/break', { method: 'POST' })).status"));

        // The scrollback download follows the same ACLs.
        Assert.Equal(200, await page.EvaluateAsync<int>("async () => (await fetch('/api/ports/lab/scrollback')).status"));
        Assert.Equal(403, await page.EvaluateAsync<int>("async () => (await fetch('/api/ports/vault/scrollback')).status"));

        var log = daemon.Output;
        Assert.Contains("dashboard: alice signed in with a password from 127.0.0.1", log, StringComparison.Ordinal);
        Assert.Contains("dashboard: login failed for 'alice' from 127.0.0.1 (wrong password)", log, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongPassword, log, StringComparison.Ordinal);
        Assert.DoesNotContain(AlicePassword, log, StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Wrong_passwords_are_401_as_slow_as_a_real_check_and_count_toward_the_sources_login_attempts_on_every_listener()
    {
        var (daemon, users, telnet) = Serve(loginAttempts: 3);
        using (users)
        using (daemon)
        {
            try
            {
                await daemon.WaitReadyAsync("lab");
                await GuessAsync(daemon, telnet);
            }
            catch
            {
                output.WriteLine(daemon.Output);
                throw;
            }
        }
    }

    private static async Task GuessAsync(Daemon daemon, int telnet)
    {
        using var local = Client(daemon, IPAddress.Loopback);
        var signIn = await SignInAsync(local, daemon, "alice", AlicePassword);
        Assert.Equal(HttpStatusCode.Redirect, signIn.Response.StatusCode);
        var cookie = Assert.Single(signIn.Response.Headers.GetValues("Set-Cookie"));
        Assert.DoesNotContain(AlicePassword, cookie, StringComparison.Ordinal);

        // A wrong password and an unknown user: both 401, both after a real bcrypt check (no quick answer to tell them
        // apart). The unknown user comes from another address: failed-login lines are logged once per source per interval.
        using var third = Client(daemon, IPAddress.Parse("127.0.0.3"));
        var wrong = await SignInAsync(local, daemon, "alice", WrongPassword);
        var unknown = await SignInAsync(third, daemon, "nobody", WrongPassword);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.Response.StatusCode);
        Assert.True(wrong.Took > TimeSpan.FromMilliseconds(50) && unknown.Took > TimeSpan.FromMilliseconds(50),
            $"wrong password {wrong.Took.TotalMilliseconds:0} ms, unknown user {unknown.Took.TotalMilliseconds:0} ms");
        await daemon.WaitForOutputAsync("dashboard: login failed for 'alice' from 127.0.0.1 \\(wrong password\\)");
        await daemon.WaitForOutputAsync("dashboard: login failed for 'nobody' from 127.0.0.3 \\(unknown user\\)");
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(local, daemon, "bob", WrongPassword)).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(local, daemon, "nobody", WrongPassword)).Response.StatusCode);

        // Three failures within a minute (login-attempts = 3): even the right password is refused now, unchecked.
        var blocked = await SignInAsync(local, daemon, "alice", AlicePassword);
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.Response.StatusCode);
        Assert.Contains("too many failed logins", await blocked.Response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await daemon.WaitForOutputAsync("dashboard: login from 127.0.0.1 refused unchecked: 3 failed logins within a minute");

        // The same count as the password listeners': the lab port's telnet listener refuses this source too.
        using (var client = new TcpClient())
        {
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, telnet);
            }
            catch (SocketException)
            {
                // refused at once: the reset can beat the end of the connect
            }

            await daemon.WaitForOutputAsync($"listener 127.0.0.1:{telnet}: refused 127.0.0.1: 3 failed logins within a minute");
        }

        // Per source: alice from another address signs in.
        using var other = Client(daemon, IPAddress.Parse("127.0.0.2"));
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(other, daemon, "alice", AlicePassword)).Response.StatusCode);
        await daemon.WaitForOutputAsync("dashboard: alice signed in with a password from 127.0.0.2");

        var log = daemon.Output;
        Assert.DoesNotContain(WrongPassword, log, StringComparison.Ordinal);
        Assert.DoesNotContain(AlicePassword, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_password_session_ends_when_a_reload_gives_the_user_a_new_password()
    {
        var (daemon, users, _) = Serve();
        using (users)
        using (daemon)
        {
            try
            {
                await daemon.WaitReadyAsync("lab");
                using var http = Client(daemon, IPAddress.Loopback);
                var signIn = await SignInAsync(http, daemon, "alice", AlicePassword);
                var session = Assert.Single(signIn.Response.Headers.GetValues("Set-Cookie")).Split(';')[0];
                Assert.Equal(HttpStatusCode.OK, (await ScrollbackAsync(http, session)).StatusCode); // lab's ACL names her group

                AttackPages.WriteUsersFile(UsersFile(users), ("alice", "a new password", ["lab"]), ("bob", "bob's secret", []));
                Assert.Equal(HttpStatusCode.OK, (await http.PostAsync(new Uri("/api/reload", UriKind.Relative), null)).StatusCode);
                await daemon.WaitForOutputAsync("reload by loopback");

                var after = await ScrollbackAsync(http, session);
                Assert.Equal(HttpStatusCode.Forbidden, after.StatusCode); // a dead session gets nothing, not even loopback's trust
            }
            catch
            {
                output.WriteLine(daemon.Output);
                throw;
            }
        }
    }

    private static Task<HttpResponseMessage> ScrollbackAsync(HttpClient http, string cookie) =>
        http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/ports/lab/scrollback") { Headers = { { "Cookie", cookie } } });

    /// <summary>An HTTP client whose connections come from <paramref name="source"/> (127.0.0.0/8 is all this machine).</summary>
    private static HttpClient Client(Daemon daemon, IPAddress source) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectCallback = async (context, cancel) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancel);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = new Uri(daemon.ApiUrl),
        Timeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>The login form's POST, from the dashboard's own origin, and how long the answer took.</summary>
    private static async Task<(HttpResponseMessage Response, TimeSpan Took)> SignInAsync(HttpClient http, Daemon daemon, string user, string password)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/login") { Content = new FormUrlEncodedContent([new("user", user), new("password", password)]) };
        request.Headers.Add("Origin", daemon.ApiUrl);
        var clock = Stopwatch.StartNew();
        var response = await http.SendAsync(request);
        return (response, clock.Elapsed);
    }

    private async Task ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(BrowserFixture.Artifacts, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        output.WriteLine($"screenshot: {path}");
    }
}
