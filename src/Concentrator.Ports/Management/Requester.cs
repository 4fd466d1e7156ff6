using Concentrator.Ports.Admission;

namespace Concentrator.Ports.Management;

/// <summary>
/// Who asks a port for an administrative action (kick, line settings, break, write lock). It travels with the request
/// to the port that carries it out — on another node too — and that port decides, so no entry point and no node can
/// widen a right: an <see cref="Unrestricted"/> requester (an admin token, a loopback caller the config lets act) acts
/// on any port; any other only where the port's ACL lets its principal write and, while the port is leased, only if it
/// holds the lease. Plain data (no address, no secrets), so it crosses nodes as it is.
/// </summary>
/// <param name="Display">How logs and notices name it, e.g. "api token ci (operate)".</param>
/// <param name="Name">The principal's name as ACL entries name it ("alice", "cert:ci", "ssh:bob", a token's name).</param>
/// <param name="Kind">The kind of principal (<see cref="Principal.Kind"/>): names of different kinds never match.</param>
/// <param name="Groups">Its users-file groups, for "@group" entries.</param>
/// <param name="Unrestricted">Whether its right was already decided as "any port" where it came in (admin).</param>
public sealed record Requester(string Display, string Name, PrincipalKind Kind, IReadOnlyList<string>? Groups, bool Unrestricted)
{
    /// <summary>An operator whose entry point grants every port (an admin token, the daemon itself, a trusted loopback caller).</summary>
    public static Requester Admin(string display) => new(display, display, PrincipalKind.Anonymous, null, Unrestricted: true);

    /// <summary>A principal limited to what the port's ACL and lease let it write.</summary>
    public static Requester Limited(string display, Principal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return new(display, principal.Name, principal.Kind, principal.Groups, Unrestricted: false);
    }

    /// <summary>The principal the port checks (no source address: an action is not a connection).</summary>
    public Principal Principal => new(Name, null, Groups) { Kind = Kind };

    public override string ToString() => Display;
}
