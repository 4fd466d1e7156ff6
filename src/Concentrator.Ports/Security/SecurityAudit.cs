using System.Globalization;
using System.Net;
using Concentrator.Ports.Admission;
using Concentrator.Ports.Configuration;

namespace Concentrator.Ports.Security;

/// <summary>
/// What is valid but probably not meant: a listener anyone on the network can use, an expired certificate, an ACL
/// naming a user the users file lacks. Logged at startup and printed by <c>serve --check</c>; none stops the daemon.
/// </summary>
public static class SecurityAudit
{
    public static IReadOnlyList<string> Warnings(ConcentratorSettings settings, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var at = now ?? DateTimeOffset.UtcNow;
        var warnings = new List<string>();
        var users = settings.SecurityOrDefault;
        var ports = settings.Ports.Select(p => (p.Name, Port: p))
            .Concat(settings.Discovery is { } d ? [("discovery", d.Template)] : []);
        foreach (var (name, port) in ports)
        {
            foreach (var listener in port.Listeners)
            {
                if (!IPAddress.IsLoopback(listener.Bind) && listener.Auth == ListenerAuthentication.None && listener.SourceFilter.Allow.Count == 0)
                {
                    warnings.Add($"port {name}: {ListenerSettings.ProtocolName(listener.Protocol)} listener on {listener.EndPoint} serves anyone " +
                                 "who can reach it (auth = none, no allow list); add auth = password | certificate, an allow list, or bind 127.0.0.1");
                }

                if (listener.Tls is { } tls)
                {
                    var cert = tls.Certificate;
                    if (cert.NotAfter.ToUniversalTime() < at.UtcDateTime)
                    {
                        warnings.Add($"port {name}: the certificate {tls.CertificateFile} of {listener.EndPoint} expired on " +
                                     $"{cert.NotAfter.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture)}; clients that check it will refuse it");
                    }
                    else if (cert.NotBefore.ToUniversalTime() > at.UtcDateTime)
                    {
                        warnings.Add($"port {name}: the certificate {tls.CertificateFile} of {listener.EndPoint} is not valid before " +
                                     $"{cert.NotBefore.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture)}");
                    }

                    if (tls.ClientCaFile is not null && tls.ClientCertificates == ClientCertificateMode.Off)
                    {
                        warnings.Add($"port {name}: {listener.EndPoint} has a client-ca but client-certificate = off, so it asks no client for a certificate");
                    }
                }
            }

            if (port.Acl is { } acl && users.UsersFile is not null)
            {
                foreach (var user in acl.ReadWrite.Concat(acl.ReadOnly).Where(IsUserName).Where(u => users.Users.Find(u) is null).Distinct())
                {
                    warnings.Add($"port {name}: the acl names '{user}', who is not in {users.UsersFile}");
                }
            }
        }

        // The features' sections warn for themselves (IConfigSection.Warnings); a cluster transport off loopback without
        // TLS and a pinned CA is a config error (ClusterConfigSection), not a warning.
        return warnings;
    }

    private static bool IsUserName(string entry) =>
        entry != Principal.AnonymousName && !entry.StartsWith('@') && !entry.Contains(':', StringComparison.Ordinal);
}
