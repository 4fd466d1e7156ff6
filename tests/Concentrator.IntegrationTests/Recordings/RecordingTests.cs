using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Concentrator.IntegrationTests.Management;
using Concentrator.Testing;
using Xunit.Abstractions;
using static Concentrator.IntegrationTests.Security.PasswordLogins;

namespace Concentrator.IntegrationTests.Recordings;

/// <summary>
/// Issue 27 through the real daemon: a recording holds byte for byte what a session received (characters split across
/// the device's reads included), the real asciinema plays it back to the same bytes, two people typing on one port
/// are told apart, and reading recordings takes the audit right.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RecordingTests(ITestOutputHelper output) : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_recording_is_byte_exact_against_what_the_session_received_and_asciinema_cat_gives_the_same_bytes()
    {
        var seed = Random.Shared.Next();
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var device = Track(VirtualSerialDevice.CreateTemp("rec"));
        var dir = Track(new TempDirectory("recordings"));
        var casts = Path.Combine(dir.FullName, "casts");
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.recordings { dir = "{{casts}}" }
            concentrator.ports.rec {
              device = "{{device.LinkPath}}"
              recording = all
              listeners = [ { port = {{tcp}}, protocol = raw, output-queue = 16MiB } ]
            }
            """));
        daemon.WaitOnline("rec");
        var client = Track(TcpClientSession.Connect(tcp));
        daemon.WaitFor("session 1 on port rec: .* connected");

        // Text with characters of one to four bytes and controls, printed in pieces cut anywhere, a character's bytes
        // apart included: each piece reaches the client before the next is printed, so the daemon reads them apart.
        var text = RandomText(random, 3_000);
        var received = new List<byte>();
        for (var at = 0; at < text.Length;)
        {
            var take = Math.Min(random.Next(1, 64), text.Length - at);
            device.Write(text.AsSpan(at, take));
            received.AddRange(client.ReadExactly(take, Timeout));
            at += take;
        }

        client.Send("typed by the client\r");
        Assert.Equal("typed by the client\r"u8.ToArray(), device.ReadExactly(20, Timeout));
        Assert.Equal(text, received.ToArray());
        client.Dispose(); // the last session leaves: the recording ends
        var cast = WaitFinished(casts, "rec");

        var (outputBytes, events) = Read(cast);
        Assert.Equal(received.ToArray(), outputBytes);
        Assert.Contains(events, e => e.Code == "i" && e.Data == "typed by the client\r");
        Assert.Contains(events, e => e.Code == "m" && e.Data.StartsWith("join * (session 1, raw, read-write) from 127.0.0.1:", StringComparison.Ordinal));

        // The real asciinema: `cat` writes the output events to its terminal (it needs one: a pty from script).
        var played = ExternalCommand.Run("script", ["-qec", $"asciinema cat {cast}", "/dev/null"],
            new Dictionary<string, string> { ["LC_ALL"] = "C.UTF-8" }, timeout: Timeout);
        Assert.True(played.ExitCode == 0, played.Output);
        Assert.Equal(Encoding.UTF8.GetString(received.ToArray()), played.Stdout);

        // And ours, with its timing (at a speed that makes the test quick).
        var ours = Cli.Run("play", cast, "--speed", "1000");
        Assert.True(ours.ExitCode == 0, ours.Stderr);
        Assert.Equal(Encoding.UTF8.GetString(received.ToArray()), ours.Stdout);
    }

    [Fact]
    public async Task Two_users_typing_on_one_port_are_attributed_and_reading_recordings_needs_the_audit_right()
    {
        var device = Track(VirtualSerialDevice.CreateTemp("two"));
        var dir = Track(new TempDirectory("two-users"));
        var users = Path.Combine(dir.FullName, "users.conf");
        Passwd(users, "alice", "alice's secret");
        Passwd(users, "bob", "bob's secret");
        var tokens = Path.Combine(dir.FullName, "tokens.conf");
        var auditor = AddToken(tokens, "auditor", "audit");
        var reader = AddToken(tokens, "grafana", "read");
        var casts = Path.Combine(dir.FullName, "casts");
        var telnet = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.security { users-file = "{{users}}" }
            concentrator.recordings { dir = "{{casts}}" }
            concentrator.api { tokens-file = "{{tokens}}", allow-anonymous-actions = off }
            concentrator.ports.shared {
              device = "{{device.LinkPath}}"
              recording = all
              listeners = [ { port = {{telnet}}, protocol = telnet, auth = password, replay = off } ]
            }
            """));
        daemon.WaitOnline("shared");

        var alice = Track(LogIn("127.0.0.2", telnet, "alice", "alice's secret"));
        alice.ReadUntil("logged in as alice", Timeout);
        var bob = Track(LogIn("127.0.0.3", telnet, "bob", "bob's secret"));
        bob.ReadUntil("logged in as bob", Timeout);
        daemon.WaitFor("session 2 on port shared");
        foreach (var (session, words) in new[] { (alice, "show run"), (bob, "reload"), (alice, "conf t") })
        {
            session.Send(words);
            Assert.Equal(Encoding.ASCII.GetBytes(words), device.ReadExactly(words.Length, Timeout));
        }

        device.Write("switch# ");
        alice.ReadUntil("switch# ", Timeout);
        bob.ReadUntil("switch# ", Timeout);
        alice.Dispose();
        bob.Dispose();
        var cast = WaitFinished(casts, "shared");

        // Each keystroke belongs to whoever the marker before it names.
        var typed = new List<(string Who, string Text)>();
        var typist = "";
        foreach (var e in Read(cast).Events)
        {
            if (e.Code == "m" && e.Data.StartsWith("typing ", StringComparison.Ordinal))
            {
                typist = e.Data.Split(' ')[1];
            }
            else if (e.Code == "i")
            {
                typed.Add((typist, e.Data));
            }
        }

        Assert.Equal([("alice", "show run"), ("bob", "reload"), ("alice", "conf t")], Merge(typed));
        var all = File.ReadAllText(cast);
        Assert.DoesNotContain("secret", all, StringComparison.Ordinal); // the login is never recorded
        Assert.Contains("join alice (session 1, telnet, read-write) from 127.0.0.2:", all, StringComparison.Ordinal);
        Assert.Contains("leave bob (session 2)", all, StringComparison.Ordinal);

        // The API: listed with who was in it, downloadable, only with the audit right.
        using var api = new ApiHttp(daemon.ApiUrl);
        var listed = await api.SendAsync(HttpMethod.Get, "/api/ports/shared/recordings", token2: auditor);
        Assert.Equal(HttpStatusCode.OK, listed.Status);
        var recording = Assert.Single(listed.Json.GetProperty("recordings").EnumerateArray());
        Assert.Equal(["alice", "bob"], recording.GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("principal").GetString()));
        var id = recording.GetProperty("id").GetString()!;
        var download = await api.SendAsync(HttpMethod.Get, $"/api/recordings/{id}", token2: auditor);
        Assert.Equal(HttpStatusCode.OK, download.Status);
        Assert.Equal(all, download.Text);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.SendAsync(HttpMethod.Get, "/api/ports/shared/recordings", token2: reader)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.SendAsync(HttpMethod.Get, $"/api/recordings/{id}", token2: reader)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.SendAsync(HttpMethod.Get, "/api/audit", token2: reader)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync($"/api/recordings/{id}")).Status); // loopback without a token reads, no more
        Assert.Equal(HttpStatusCode.NotFound, (await api.SendAsync(HttpMethod.Get, "/api/recordings/..%2F..%2Fetc%2Fpasswd", token2: auditor)).Status);

        // The CLI lists them too, with the audit token.
        var cli = Cli.Run(new Dictionary<string, string> { ["CONCENTRATOR_API_TOKEN"] = auditor }, "recordings", "shared", "--api", daemon.ApiUrl.ToString());
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        Assert.Matches(@"\n" + System.Text.RegularExpressions.Regex.Escape(id) + @"\s+\S+ \S+\s+\d+s\s+[\d.]+ (B|KiB)\s+alice, bob\n", cli.Stdout);
    }

    /// <summary>Consecutive keystrokes of one person as one string (the device's reads decide how they were cut).</summary>
    private static List<(string, string)> Merge(List<(string Who, string Text)> typed)
    {
        var merged = new List<(string, string)>();
        foreach (var (who, text) in typed)
        {
            if (merged.Count > 0 && merged[^1].Item1 == who)
            {
                merged[^1] = (who, merged[^1].Item2 + text);
            }
            else
            {
                merged.Add((who, text));
            }
        }

        return merged;
    }

    internal static string WaitFinished(string casts, string port)
    {
        string? finished = null;
        Eventually.True(() =>
        {
            foreach (var meta in Directory.Exists(casts) ? Directory.GetFiles(casts, port + ".*.json") : [])
            {
                using var doc = JsonDocument.Parse(File.ReadAllBytes(meta));
                if (doc.RootElement.GetProperty("ended").ValueKind == JsonValueKind.String)
                {
                    finished = Path.ChangeExtension(meta, ".cast");
                    return true;
                }
            }

            return false;
        }, Timeout, () => $"no finished recording of {port} in {casts}: {string.Join(", ", Directory.Exists(casts) ? Directory.GetFiles(casts) : [])}");
        return finished!;
    }

    /// <summary>The output events' bytes, and every event.</summary>
    internal static (byte[] Output, List<(double Time, string Code, string Data)> Events) Read(string cast)
    {
        var events = new List<(double, string, string)>();
        var bytes = new List<byte>();
        foreach (var line in File.ReadLines(cast).Skip(1))
        {
            var e = JsonDocument.Parse(line).RootElement;
            var data = e[2].GetString()!;
            events.Add((e[0].GetDouble(), e[1].GetString()!, data));
            if (e[1].GetString() == "o")
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(data));
            }
        }

        return ([.. bytes], events);
    }

    /// <summary>Characters of one to four bytes, NUL and controls included (the UTF-8 a console may print).</summary>
    private static byte[] RandomText(Random random, int characters)
    {
        var text = new StringBuilder();
        for (var i = 0; i < characters; i++)
        {
            var code = random.Next(5) switch
            {
                0 => random.Next(0, 0x20),
                1 => random.Next(0x20, 0x7F),
                2 => random.Next(0x80, 0x800),
                3 => random.Next(0xE000, 0x10000),
                _ => random.Next(0x10000, 0x110000),
            };
            text.Append(char.ConvertFromUtf32(code));
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    internal static string AddToken(string tokensFile, string name, string role)
    {
        var (exit, stdout, stderr) = Cli.Run("token", "add", name, "--role", role, "--tokens-file", tokensFile);
        Assert.True(exit == 0, stderr);
        return stdout.Trim();
    }

}
