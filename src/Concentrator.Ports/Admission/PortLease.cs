using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Concentrator.Ports.Admission;

/// <summary>
/// A port's lease as the port enforces it: while it exists only the holder writes. The holder is whoever connects
/// from <paramref name="ForHost"/>, authenticates as <paramref name="Holder"/>, or presents <paramref name="Token"/>.
/// Sent to the port by the lease service (same node: the port's lease authority lives where the port lives).
/// </summary>
/// <param name="LeaseId">The lease, for logs and notices.</param>
/// <param name="Holder">The holder, as an ACL entry names a principal ("alice", "cert:ci-runner", "ssh:bob", "web:ci-token").</param>
/// <param name="ForHost">The machine the port was leased for, if the scheduler named one.</param>
/// <param name="Token">The lease's secret token.</param>
/// <param name="Epoch">The fencing token of this grant: higher than every earlier grant of the port.</param>
public sealed record PortLease(string LeaseId, string Holder, IPAddress? ForHost, string Token, long Epoch)
{
    /// <summary>
    /// Whether <paramref name="principal"/> holds this lease. Its name matches as in an ACL, kind and all (a dashboard
    /// token called "alice" does not hold alice's lease); a holder "*" or "@group" names nobody (it must not mean
    /// everyone); tokens are compared in constant time.
    /// </summary>
    public bool IsHeldBy(Principal principal)
    {
        if (ForHost is not null && principal.Source is not null && SameAddress(ForHost, principal.Source))
        {
            return true;
        }

        if (Holder != Principal.AnonymousName && !Holder.StartsWith('@') && principal.IsNamedBy(Holder))
        {
            return true;
        }

        return HasToken(principal.LeaseToken);
    }

    /// <summary>Whether <paramref name="token"/> is this lease's token (compared in constant time).</summary>
    public bool HasToken(string? token) =>
        token is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(Token));

    /// <summary>An IPv4 client on a dual-stack socket shows up as ::ffff:a.b.c.d; it is the same host.</summary>
    private static bool SameAddress(IPAddress a, IPAddress b) =>
        (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Equals(b.IsIPv4MappedToIPv6 ? b.MapToIPv4() : b);

    /// <summary>No token: it is a secret and records print themselves into logs.</summary>
    public override string ToString() => $"lease {LeaseId} (holder {Holder}{(ForHost is null ? "" : $", for {ForHost}")}, epoch {Epoch})";
}
