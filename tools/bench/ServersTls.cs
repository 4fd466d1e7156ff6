using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Concentrator.Testing;

namespace Concentrator.Bench;

internal static partial class Servers
{
    /// <summary>
    /// Our daemon with one port and two raw listeners on the same port settings, plain (TcpPorts[0]) and TLS
    /// (TcpPorts[1], a self-signed P-256 certificate made here, key mode 0600), so TLS and plain are measured side by side.
    /// </summary>
    public static ServerInstance StartConcentratorPlainAndTls(string daemonDll, string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certFile = Path.Combine(directory, "bench-server.crt");
        var keyFile = Path.Combine(directory, "bench-server.key");
        File.WriteAllText(certFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, "");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());

        var server = new ServerInstance();
        try
        {
            server.AddTempFile(certFile);
            server.AddTempFile(keyFile);
            var device = VirtualSerialDevice.CreateTemp("bench-tls");
            var plain = DistinctPort(server);
            server.AddDevice(device, plain);
            var tls = DistinctPort(server);
            server.AddDevice(device, tls); // the same device: both listeners serve one port
            var config = Path.Combine(directory, "bench-tls.conf");
            File.WriteAllText(config, $$"""
                concentrator.ports.p0 {
                  device = "{{device.LinkPath}}"
                  listeners = [
                    { port = {{plain}}, protocol = raw }
                    { port = {{tls}}, protocol = raw, tls { certificate = "{{certFile}}", key = "{{keyFile}}" } }
                  ]
                }
                """);
            server.AddTempFile(config);
            var process = ManagedProcess.Start("dotnet", [daemonDll, "serve", "--config", config]);
            server.AddProcess(process);
            process.WaitUntil(o => OnlineRegex().IsMatch(o), StartTimeout, "'port p0: online'");
            ProcFs.WaitListening(server.TcpPorts, process, StartTimeout);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }
}
