using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Concentrator.Cluster.Configuration;

/// <summary>
/// <c>concentrator.cluster { ... }</c>: this daemon is one node of several (Akka.Cluster). Absent: a single host.
/// </summary>
/// <param name="NodeName">How this node is named in the inventory, <c>/api/ports</c> and the dashboard; unique per cluster.</param>
/// <param name="Bind">The cluster transport (Akka.Remote): its own address and port, never a serial listener's.</param>
/// <param name="Seeds">host:port of the nodes a starting node contacts to join; empty: this node starts the cluster.</param>
/// <param name="Witness">A member that serves no ports and only votes, so two port hosts keep a majority when one dies.</param>
/// <param name="DownAfter">How long a partition must be stable before the split brain resolver downs the minority side.</param>
/// <param name="HeartbeatPause">How long heartbeats may be missed before a node counts as unreachable (its ports are hidden).</param>
/// <param name="Tls">TLS between nodes (Akka.Remote's), or null for plain TCP.</param>
public sealed record ClusterSettings(string NodeName, DnsEndPoint Bind, IReadOnlyList<DnsEndPoint> Seeds, bool Witness, TimeSpan DownAfter,
    TimeSpan HeartbeatPause, ClusterTlsSettings? Tls)
{
    public const int DefaultPort = 4053;
    public static readonly TimeSpan DefaultDownAfter = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultHeartbeatPause = TimeSpan.FromSeconds(3);

    public override string ToString() =>
        $"node {NodeName}{(Witness ? " (witness: no ports)" : "")} on {Bind.Host}:{Bind.Port}{Tls?.Describe()}, " +
        (Seeds.Count == 0 ? "no seeds (starts the cluster)" : "seeds " + string.Join(", ", Seeds.Select(s => $"{s.Host}:{s.Port}")));
}

/// <summary>
/// TLS on the cluster transport: this node's certificate with its private key, as a PKCS#12 (.pfx) file, and the
/// pinned cluster CA that every peer's certificate must chain to. Equal when the same files hold the same CAs.
/// </summary>
/// <param name="Certificate">Full path of the .pfx file.</param>
/// <param name="Password">Its password (read from <c>password-file</c>; never logged).</param>
/// <param name="SuppressValidation">Accept peers whose certificate chain does not validate (self-signed test clusters on loopback only).</param>
/// <param name="CaFile">Full path of the PEM file with the pinned cluster CA certificate(s), or null: the system trust store decides.</param>
/// <param name="Cas">Its certificates, loaded at config time (empty without <paramref name="CaFile"/>).</param>
public sealed record ClusterTlsSettings(string Certificate, string Password, bool SuppressValidation, string? CaFile, X509Certificate2Collection Cas)
{
    public bool Equals(ClusterTlsSettings? other) =>
        other is not null && Certificate == other.Certificate && Password == other.Password && SuppressValidation == other.SuppressValidation &&
        CaFile == other.CaFile && Cas.Select(c => c.Thumbprint).SequenceEqual(other.Cas.Select(c => c.Thumbprint));

    public override int GetHashCode() => HashCode.Combine(Certificate, CaFile);

    /// <summary>For the plan: what a peer must present.</summary>
    public string Describe() =>
        CaFile is not null ? $" with TLS, peers pinned to the cluster CA in {CaFile}"
        : SuppressValidation ? " with TLS, peer certificates not validated" : " with TLS, peers checked against the system trust store";

    public override string ToString() =>
        $"ClusterTlsSettings {{ Certificate = {Certificate}, SuppressValidation = {SuppressValidation}, CaFile = {CaFile} }}";
}
