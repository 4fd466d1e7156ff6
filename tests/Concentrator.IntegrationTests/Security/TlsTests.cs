using System.Net.Sockets;
using System.Text;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Security;

/// <summary>
/// TLS listeners against real peers: openssl s_client, socat OPENSSL:, our own attach; client certificates good,
/// missing, expired and from another CA; plain clients on TLS ports and TLS clients on plain ports; garbage.
/// </summary>
public sealed class TlsTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private (TestPki Pki, DaemonProcess Daemon, int Tls, int Plain) Serve(string extraListenerKeys = "")
    {
        var dir = Track(new TempDirectory("tls"));
        var pki = TestPki.Create(dir.FullName);
        var tls = FreeTcpPort.Next();
        var plain = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.security { handshake-timeout = 2s }
            concentrator.ports.t {
              device = "sim:echo"
              listeners = [
                { port = {{tls}}, protocol = raw, tls { certificate = "{{pki.ServerCertificate}}", key = "{{pki.ServerKey}}", client-ca = "{{pki.CaCertificate}}" }, auth = certificate {{extraListenerKeys}} }
                { port = {{plain}}, protocol = telnet }
              ]
            }
            """));
        daemon.WaitOnline("t");
        return (pki, daemon, tls, plain);
    }

    private RunningProcess Socat(TestPki pki, int port, string source, string? client)
    {
        var address = $"OPENSSL:127.0.0.1:{port},cafile={pki.CaCertificate},bind={source}" +
                      (client is null ? ",verify=1" : $",cert={pki.File(client + ".crt")},key={pki.File(client + ".key")}");
        return Track(RunningProcess.Start("socat", ["-", address]));
    }

    [Fact]
    public void A_client_certificate_signed_by_client_ca_is_the_principal_and_every_bad_one_is_refused_with_its_cause()
    {
        var (pki, daemon, tls, _) = Serve();

        // openssl s_client with a good certificate: the console echoes, the log names the principal.
        using var good = RunningProcess.Start("openssl", ["s_client", "-quiet", "-connect", $"127.0.0.1:{tls}", "-CAfile", pki.CaCertificate,
            "-cert", pki.File("client.crt"), "-key", pki.File("client.key")]);
        daemon.WaitFor("connected as cert:ci-runner \\(raw, read-write\\)");
        good.Write("through tls\n");
        good.WaitFor("^through tls$", Timeout);

        // socat OPENSSL: with a good certificate too.
        var viaSocat = Socat(pki, tls, "127.0.0.2", "client");
        daemon.WaitFor("127.0.0.2:\\d+ connected as cert:ci-runner");
        viaSocat.Write("via socat\n");
        viaSocat.WaitFor("^via socat$", Timeout);

        // Each bad client from its own source address, so each refusal gets its own log line.
        using (Socat(pki, tls, "127.0.0.3", client: null))
        {
            daemon.WaitFor("127.0.0.3:\\d+ TLS handshake failed: the client sent no certificate");
        }

        using (Socat(pki, tls, "127.0.0.4", "stranger"))
        {
            daemon.WaitFor("127.0.0.4:\\d+ TLS handshake failed: client certificate 'CN=ci-runner' refused: not signed by the listener's client-ca");
        }

        using (Socat(pki, tls, "127.0.0.5", "expired"))
        {
            daemon.WaitFor("127.0.0.5:\\d+ TLS handshake failed: client certificate 'CN=old-runner' refused: expired or not yet valid");
        }

        Assert.DoesNotMatch("connected as cert:old-runner", daemon.Output);
        Assert.False(daemon.HasExited);
    }

    [Fact]
    public void A_plain_client_on_a_tls_port_is_told_in_plain_text_and_a_tls_client_on_a_plain_port_is_named_in_the_log()
    {
        var (_, daemon, tls, plain) = Serve();

        using var telnetLike = TcpClientSession.Connect(tls);
        telnetLike.Send("hello?\r\n");
        Assert.Contains("this listener speaks TLS", telnetLike.ReadUntil("\r\n", Timeout), StringComparison.Ordinal);
        Assert.True(telnetLike.WaitClosed(Timeout));
        daemon.WaitFor("not a TLS client \\(it opened with byte 0x68");

        using var tlsOnPlain = RunningProcess.Start("openssl", ["s_client", "-connect", $"127.0.0.1:{plain}"]);
        daemon.WaitFor("sent a TLS ClientHello to a listener without tls");
        tlsOnPlain.WaitForExit(Timeout);
        Assert.False(daemon.HasExited);
    }

    [Fact]
    public void Garbage_in_place_of_a_client_hello_and_a_silent_client_are_closed_and_the_daemon_serves_on()
    {
        var (pki, daemon, tls, _) = Serve();

        // A record header that claims to be a handshake, then noise.
        using var garbage = SourceAddressedClient.Connect("127.0.0.6", tls);
        garbage.Send([0x16, 0x03, 0x01, 0x00, 0x40, .. Enumerable.Range(0, 64).Select(i => (byte)(i * 37))]);
        Assert.True(SourceAddressedClient.Closed(garbage, Timeout));
        daemon.WaitFor("127.0.0.6:\\d+ handshake failed");

        // Opens TCP and says nothing: closed after handshake-timeout (2 s here).
        using var silent = SourceAddressedClient.Connect("127.0.0.7", tls);
        var started = DateTime.UtcNow;
        Assert.True(SourceAddressedClient.ClosedWithoutData(silent, Timeout));
        Assert.InRange((DateTime.UtcNow - started).TotalSeconds, 1.5, 10);
        daemon.WaitFor("127.0.0.7:\\d+ handshake timeout");

        // Stalls mid-handshake: a ClientHello's first bytes, then nothing.
        using var stalled = SourceAddressedClient.Connect("127.0.0.8", tls);
        stalled.Send([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]);
        Assert.True(SourceAddressedClient.ClosedWithoutData(stalled, Timeout));
        daemon.WaitFor("127.0.0.8:\\d+ handshake timeout");

        // Still serving.
        using var good = RunningProcess.Start("openssl", ["s_client", "-quiet", "-connect", $"127.0.0.1:{tls}", "-CAfile", pki.CaCertificate,
            "-cert", pki.File("client.crt"), "-key", pki.File("client.key")]);
        good.Write("still here\n");
        good.WaitFor("^still here$", Timeout);
    }

    [Fact]
    public void Our_attach_speaks_tls_with_a_client_certificate_and_refuses_a_server_its_ca_did_not_sign()
    {
        var (pki, daemon, tls, _) = Serve();
        using var attach = RunningProcess.Concentrator(["attach", $"127.0.0.1:{tls}", "--ca", pki.CaCertificate,
            "--cert", pki.File("client.crt"), "--key", pki.File("client.key")]);
        daemon.WaitFor("connected as cert:ci-runner");
        attach.Write("attached over tls\n");
        attach.WaitFor("attached over tls", Timeout);

        using var wrongCa = RunningProcess.Concentrator(["attach", $"127.0.0.1:{tls}", "--ca", pki.File("other-ca.crt"),
            "--cert", pki.File("client.crt"), "--key", pki.File("client.key")]);
        Assert.Equal(1, wrongCa.WaitForExit(Timeout));
        Assert.Contains("the server's certificate is not accepted by the CA in --ca", wrongCa.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Our_pty_logs_in_over_tls_on_an_rfc2217_listener_and_bridges_bytes()
    {
        var dir = Track(new TempDirectory("tlspty"));
        var pki = TestPki.Create(dir.FullName);
        var users = Path.Combine(dir.FullName, "users.conf");
        using (var passwd = RunningProcess.Concentrator(["passwd", "--users-file", users, "alice", "--groups", "ops"]))
        {
            passwd.Write("pty secret\n");
            passwd.CloseInput();
            Assert.Equal(0, passwd.WaitForExit(Timeout));
        }

        var device = Track(VirtualSerialDevice.CreateTemp("tlspty"));
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.security { users-file = "{{users}}" }
            concentrator.ports.r {
              device = "{{device.LinkPath}}"
              acl { read-write = ["@ops"] }
              listeners = [ { port = {{tcp}}, protocol = rfc2217, tls { certificate = "{{pki.ServerCertificate}}", key = "{{pki.ServerKey}}" }, auth = password } ]
            }
            """));
        daemon.WaitOnline("r");
        var link = Path.Combine(dir.FullName, "ttyRemote");
        using var pty = RunningProcess.Concentrator(["pty", $"localhost:{tcp}", "--link", link, "--ca", pki.CaCertificate, "--user", "alice"],
            new Dictionary<string, string> { ["CONCENTRATOR_PASSWORD"] = "pty secret" });
        pty.WaitFor("connected to localhost", Timeout);
        daemon.WaitFor("connected as alice \\(rfc2217, read-write\\)");

        using var local = Concentrator.Devices.SerialDeviceFactory.Open(link, Concentrator.Devices.DeviceBackend.Posix,
            Concentrator.Devices.LineSettings.Default);
        local.Write("ping over tls"u8);
        Assert.Equal("ping over tls", Encoding.ASCII.GetString(device.ReadExactly(13, Timeout)));
        device.Write("pong");
        var back = new List<byte>();
        var reader = Task.Run(() =>
        {
            var buffer = new byte[64];
            while (back.Count < 4)
            {
                back.AddRange(buffer.AsSpan(0, local.Read(buffer))); // a blocking read; Dispose below wakes it if need be
            }
        });
        Assert.True(await Task.WhenAny(reader, Task.Delay(Timeout)) == reader, $"the pty never got the device's answer:\n{pty.Output}");
        Assert.Equal("pong", Encoding.ASCII.GetString([.. back]));
    }
}
