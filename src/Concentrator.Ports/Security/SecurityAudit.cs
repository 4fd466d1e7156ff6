using System.Globalization;
using System.Net;
using Concentrator.Ports.Admission;
using Concentrator.Ports.Configuration;

namespace Concentrator.Ports.Security;

/// <summary>
/// What is valid but probably not meant: a listener anyone on the network can use, an expired certificate, an ACL
/// naming a user the users file lacks, an API in plain HTTP on the network. Logged at startup and printed by <c>serve --check</c>; none stops the daemon.
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

        warnings.AddRange(ApiWarnings(settings.Api, at));
        // A cluster transport off loopback without TLS and a pinned CA is a config error (ConfigLoader.Cluster), not a warning.
        return warnings;
    }

    /// <summary>Tokens, sessions and consoles in the clear on a network; an API certificate that clients will refuse.</summary>
    private static IEnumerable<string> ApiWarnings(ApiSettings api, DateTimeOffset at)
    {
        if (!api.Enabled)
        {
            yield break;
        }

        if (api.Tls is null && !IPAddress.IsLoopback(api.Bind))
        {
            yield return $"api: {api.Url} is plain HTTP on an address other machines reach: tokens, dashboard sessions and console " +
                         "output cross the network in the clear; add api.tls { certificate, key }, or serve it on loopback behind an " +
                         "HTTPS proxy (api.trusted-proxies)";
        }

        if (api.Tls is { } tls && (tls.Certificate.NotAfter.ToUniversalTime() < at.UtcDateTime || tls.Certificate.NotBefore.ToUniversalTime() > at.UtcDateTime))
        {
            yield return $"api: the certificate {tls.CertificateFile} is not valid now (valid " +
                         $"{tls.Certificate.NotBefore.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture)} to " +
                         $"{tls.Certificate.NotAfter.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture)}); clients that check it will refuse it";
        }
    }

    private static bool IsUserName(string entry) =>
        entry != Principal.AnonymousName && !entry.StartsWith('@') && !entry.Contains(':', StringComparison.Ordinal);
}
