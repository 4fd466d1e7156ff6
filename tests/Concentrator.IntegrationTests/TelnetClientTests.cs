using System.Diagnostics;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests;

/// <summary>The real <c>telnet</c> client, on a pseudo-terminal like a person would run it, against the daemon.</summary>
public sealed class TelnetClientTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private DaemonProcess StartDemo(string protocol, out int tcp)
    {
        tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.demo { device = "sim:demo", baud = 115200, listeners = [ { port = {{tcp}}, protocol = {{protocol}} } ] }
            """));
        daemon.WaitOnline("demo");
        return daemon;
    }

    /// <summary>Connects telnet and gets the demo to its login prompt (pressing Enter while it boots does nothing).</summary>
    private async Task<PtyProgram> ConnectToLoginPrompt(int tcp)
    {
        var telnet = Track(PtyProgram.Start("telnet", "127.0.0.1", tcp.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await telnet.ExpectAsync("Escape character is", Timeout);
        var deadline = DateTime.UtcNow + Timeout;
        while (!await telnet.WaitForAsync("demo login: ", TimeSpan.FromMilliseconds(700)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no login prompt: '{PtyProgram.Escape(telnet.All)}'");
            telnet.Type("\r");
        }

        // An Enter typed just as the prompt appeared may still be answered by another prompt. Type a character and
        // erase it: once its echo is back, everything typed before has been answered, and the line is empty again.
        telnet.Mark();
        telnet.Type("x\x7f");
        await telnet.ExpectAsync("x\b \b", Timeout);
        return telnet;
    }

    /// <summary>Types a line character by character; each character must come back (echoed by the device) before Enter.</summary>
    private static async Task TypeInCharacterMode(PtyProgram telnet, string text)
    {
        telnet.Mark();
        for (var i = 0; i < text.Length; i++)
        {
            telnet.Type(text[i].ToString());
            // In line mode telnet would hold the character until Enter, and the device's echo would not come.
            await telnet.ExpectAsync(text[..(i + 1)], Timeout);
        }

        // Exactly once: the device echoes, neither the server nor the client's terminal does. The sentinel: a character
        // typed and erased; its echo comes after every echo of what was typed before it, so a second echo of the text
        // would show before it. The line is as it was afterwards.
        telnet.Type("x\x7f");
        await telnet.ExpectAsync("x\b \b", Timeout);
        Assert.Equal(text + "x\b \b", telnet.SinceMark);
    }

    private static async Task LogInAndRunACommand(PtyProgram telnet)
    {
        await TypeInCharacterMode(telnet, "root");
        telnet.Mark();
        telnet.Type("\r");
        await telnet.ExpectAsync("Password: ", Timeout);
        Assert.Equal("\r\nPassword: ", telnet.SinceMark);

        telnet.Mark();
        telnet.Type("secret\r");
        await telnet.ExpectAsync("demo:~$ ", Timeout);
        Assert.DoesNotContain("secret", telnet.SinceMark, StringComparison.Ordinal); // the password is not echoed by anyone

        await TypeInCharacterMode(telnet, "echo hello-telnet");
        telnet.Mark();
        telnet.Type("\r");
        await telnet.ExpectAsync("demo:~$ ", Timeout);
        Assert.Equal("\r\nhello-telnet\r\ndemo:~$ ", telnet.SinceMark);
    }

    [Fact]
    public async Task Telnet_to_a_telnet_listener_is_a_usable_console_in_character_mode_without_double_echo()
    {
        var daemon = StartDemo("telnet", out var tcp);
        var telnet = await ConnectToLoginPrompt(tcp);
        await LogInAndRunACommand(telnet);

        // Backspace works through telnet: the device erases the character.
        telnet.Mark();
        telnet.Type("ecx\x7fho fixed\r");
        await telnet.ExpectAsync("demo:~$ ", Timeout);
        Assert.Contains("\r\nfixed\r\n", telnet.SinceMark, StringComparison.Ordinal);
        Assert.False(daemon.HasExited);
    }

    [Fact]
    public async Task Telnet_to_an_rfc2217_listener_is_a_plain_console()
    {
        var daemon = StartDemo("rfc2217", out var tcp);
        var telnet = await ConnectToLoginPrompt(tcp);
        await LogInAndRunACommand(telnet);
        daemon.WaitFor("session 1 on port demo: .* connected");
        Assert.False(daemon.HasExited);
    }

    [Fact]
    public async Task Socat_through_a_telnet_listener_reaches_the_device()
    {
        var device = Track(VirtualSerialDevice.CreateTemp("socat-telnet"));
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.s { device = "{{device.LinkPath}}", baud = 115200, listeners = [ { port = {{tcp}}, protocol = telnet } ] }
            """));
        daemon.WaitOnline("s");

        // socat speaks no telnet: it ignores the offers (sees them as bytes) and never agrees to BINARY, so the
        // server keeps NVT rules towards it. Plain text without CR passes unchanged both ways.
        using var socat = Process.Start(new ProcessStartInfo("socat", $"-u TCP:127.0.0.1:{tcp} -")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        using var writer = Process.Start(new ProcessStartInfo("socat", $"- TCP:127.0.0.1:{tcp}")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        try
        {
            daemon.WaitFor("session 2 on port s");
            writer.StandardInput.Write("status\n");
            writer.StandardInput.Flush();
            Assert.Equal("status\n"u8.ToArray(), device.ReadExactly(7, Timeout));

            device.Write("all good\n");
            var line = await ReadLineSkippingNegotiation(socat.StandardOutput).WaitAsync(Timeout);
            Assert.Equal("all good", line);
        }
        finally
        {
            socat.Kill();
            writer.Kill();
        }
    }

    private static async Task<string> ReadLineSkippingNegotiation(StreamReader reader)
    {
        // The first line starts with the server's IAC offers; the text follows them.
        var line = await reader.ReadLineAsync() ?? "";
        var text = new string(line.Where(c => c is >= ' ' and < (char)0x7f).ToArray());
        return text;
    }
}
