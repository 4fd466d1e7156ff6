using System.Text;
using Concentrator.Devices.Simulated;

namespace Concentrator.Devices.Tests;

public sealed class DemoConsoleTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private DateTimeOffset _now = T0;

    private static string Text(byte[] bytes) => Encoding.ASCII.GetString(bytes);

    private string Type(DemoConsole console, string input) => Text(console.Receive(Encoding.ASCII.GetBytes(input), _now));

    private DemoConsole Booted()
    {
        var console = new DemoConsole(T0);
        _now = T0 + TimeSpan.FromSeconds(2);
        Assert.EndsWith(DemoConsole.LoginPrompt, Text(console.Poll(_now)), StringComparison.Ordinal);
        return console;
    }

    private DemoConsole LoggedIn()
    {
        var console = Booted();
        Type(console, "root\r");
        Type(console, "pw\r");
        Assert.Equal(DemoConsoleState.Shell, console.State);
        return console;
    }

    [Fact]
    public void Boot_log_is_paced_over_about_a_second_and_ends_in_the_login_prompt()
    {
        var console = new DemoConsole(T0);
        Assert.Equal(DemoConsoleState.Booting, console.State);
        var first = Text(console.Poll(T0));
        Assert.Contains("U-Boot", first, StringComparison.Ordinal);
        Assert.DoesNotContain("login:", first, StringComparison.Ordinal);

        var middle = Text(console.Poll(T0 + TimeSpan.FromMilliseconds(500)));
        Assert.Contains("Memory:", middle, StringComparison.Ordinal);
        Assert.DoesNotContain("login:", middle, StringComparison.Ordinal);
        Assert.NotNull(console.NextOutputAt);
        Assert.True(console.NextOutputAt > T0 + TimeSpan.FromMilliseconds(500));

        var rest = Text(console.Poll(T0 + TimeSpan.FromSeconds(1)));
        Assert.Contains("link up", rest, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\ndemo login: ", rest, StringComparison.Ordinal);
        Assert.Null(console.NextOutputAt);
        Assert.Equal(DemoConsoleState.Login, console.State);

        var all = first + middle + rest;
        Assert.Contains("Linux version 5.15.0-demo", all, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", all.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Input_during_boot_is_ignored()
    {
        var console = new DemoConsole(T0);
        var output = Text(console.Receive("root\r"u8, T0 + TimeSpan.FromMilliseconds(1)));
        Assert.Contains("U-Boot", output, StringComparison.Ordinal);
        Assert.DoesNotContain("root", output, StringComparison.Ordinal);
        Assert.Equal(DemoConsoleState.Booting, console.State);
        Assert.EndsWith(DemoConsole.LoginPrompt, Text(console.Poll(T0 + TimeSpan.FromSeconds(2))), StringComparison.Ordinal);
        Assert.Equal(DemoConsoleState.Login, console.State);
        Assert.Null(console.User);
    }

    [Fact]
    public void Login_flow_echoes_the_name_hides_the_password_and_gives_a_shell()
    {
        var console = Booted();
        Assert.Equal("root\r\nPassword: ", Type(console, "root\r"));
        Assert.Equal(DemoConsoleState.Password, console.State);
        Assert.Equal("", Type(console, "hunter2"));
        var welcome = Type(console, "\r");
        Assert.Equal("\r\n\r\n" + DemoConsole.Motd + DemoConsole.ShellPrompt, welcome);
        Assert.Equal("root", console.User);
    }

    [Fact]
    public void Empty_login_prompts_again()
    {
        var console = Booted();
        Assert.Equal("\r\ndemo login: ", Type(console, "\r"));
        Assert.Equal(DemoConsoleState.Login, console.State);
    }

    [Fact]
    public void Crlf_counts_as_one_enter()
    {
        var console = LoggedIn();
        Assert.Equal("ls\r\nbin  dev  etc  home  lib  proc  root  sys  tmp  usr  var\r\ndemo:~$ ", Type(console, "ls\r\n"));
    }

    [Fact]
    public void Backspace_erases_with_both_codes()
    {
        var console = LoggedIn();
        Assert.Equal("ecx\b \b", Type(console, "ecx\x7f"));
        Assert.Equal("hq\b \bo hi", Type(console, "hq\bo hi"));
        Assert.Equal("\r\nhi\r\ndemo:~$ ", Type(console, "\r"));
    }

    [Fact]
    public void Backspace_on_an_empty_line_prints_nothing()
    {
        var console = LoggedIn();
        Assert.Equal("", Type(console, "\x7f\b"));
    }

    [Theory]
    [InlineData("uname -a", "Linux demo 5.15.0-demo #1 SMP PREEMPT armv7l GNU/Linux\r\n")]
    [InlineData("echo hello world", "hello world\r\n")]
    [InlineData("cat /etc/motd", DemoConsole.Motd)]
    [InlineData("cat /etc/shadow", "cat: /etc/shadow: No such file or directory\r\n")]
    [InlineData("frobnicate now", "sh: frobnicate: command not found\r\n")]
    [InlineData("date", "Wed Jan 2 03:04:07 UTC 2030\r\n")]
    [InlineData("", "")]
    public void Commands_answer(string command, string expected)
    {
        var console = LoggedIn();
        Assert.Equal(command + "\r\n" + expected + DemoConsole.ShellPrompt, Type(console, command + "\r"));
    }

    [Fact]
    public void Help_uptime_and_dmesg_answer()
    {
        var console = LoggedIn();
        Assert.Contains("uname -a", Type(console, "help\r"), StringComparison.Ordinal);
        _now += TimeSpan.FromMinutes(3);
        Assert.Contains("up 3 min", Type(console, "uptime\r"), StringComparison.Ordinal);
        var dmesg = Type(console, "dmesg\r");
        Assert.Contains("[    0.000000] Booting Linux on physical CPU 0x0\r\n", dmesg, StringComparison.Ordinal);
        Assert.EndsWith(DemoConsole.ShellPrompt, dmesg, StringComparison.Ordinal);
    }

    [Fact]
    public void Exit_and_logout_return_to_the_login_prompt()
    {
        var console = LoggedIn();
        Assert.Equal("exit\r\n\r\ndemo login: ", Type(console, "exit\r"));
        Assert.Equal(DemoConsoleState.Login, console.State);
        Assert.Null(console.User);
        Type(console, "bob\r");
        Type(console, "x\r");
        Assert.EndsWith("demo login: ", Type(console, "logout\r"), StringComparison.Ordinal);
    }

    [Fact]
    public void Reboot_reprints_the_boot_log()
    {
        var console = LoggedIn();
        var now = _now;
        Assert.Equal("reboot\r\nThe system is going down for reboot NOW!\r\n", Type(console, "reboot\r"));
        Assert.Equal(DemoConsoleState.Booting, console.State);
        var boot = Text(console.Poll(now + TimeSpan.FromSeconds(2)));
        Assert.Contains("Linux version", boot, StringComparison.Ordinal);
        Assert.EndsWith(DemoConsole.LoginPrompt, boot, StringComparison.Ordinal);
        Assert.Equal(DemoConsoleState.Login, console.State);
    }

    [Fact]
    public void Ctrl_c_abandons_the_line()
    {
        var console = LoggedIn();
        Assert.Equal("ech^C\r\ndemo:~$ ", Type(console, "ech\x03"));
        Assert.Equal("ls\r\nbin  dev  etc  home  lib  proc  root  sys  tmp  usr  var\r\ndemo:~$ ", Type(console, "ls\r"));
    }
}
