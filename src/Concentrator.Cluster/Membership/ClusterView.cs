using Akka.Actor;
using Akka.Cluster;

namespace Concentrator.Cluster.Membership;

/// <summary>One member as this node sees it.</summary>
/// <param name="Name">Its node name (its "node:NAME" role).</param>
/// <param name="Address">host:port of its cluster transport.</param>
/// <param name="Status">joining, up, leaving, exiting, down, removed.</param>
/// <param name="Reachable">Whether this node's failure detector hears it.</param>
/// <param name="Witness">A voting member without ports.</param>
public sealed record MemberView(string Name, string Address, string Status, bool Reachable, bool Witness)
{
    /// <summary>Up or leaving, and heard from here: a member whose inventory entry may be trusted.</summary>
    public bool Trusted => Reachable && Status is "up" or "leaving";
}

/// <summary>
/// This node's membership at one moment: who is there, who is reachable, and whether this node is on the majority
/// side — the only side that grants new leases (keep-majority: more than half of the members, or exactly half
/// including the member with the lowest address, the side Akka's resolver keeps).
/// </summary>
public sealed record ClusterView(string Self, bool Joined, IReadOnlyList<MemberView> Members, bool Majority, string? Leader)
{
    public static ClusterView NotJoined(string self) => new(self, false, [], false, null);

    /// <summary>The view from the members and reachability the cluster events told, computed the way keep-majority decides.</summary>
    public static ClusterView From(string self, Member? selfMember, IEnumerable<Member> all, IReadOnlySet<UniqueAddress> unreachable, Address? leader)
    {
        var members = all.Where(m => m.Status is not MemberStatus.Removed).OrderBy(m => m.Address, Member.AddressOrdering).ToList();
        var views = members.Select(m => new MemberView(NameOf(m), HostPort(m.Address), m.Status.ToString().ToLowerInvariant(),
            !unreachable.Contains(m.UniqueAddress), m.HasRole(ClusterConfig.WitnessRole))).ToList();

        // Akka's keep-majority counts up and leaving members (not joining / weakly up ones).
        var voters = members.Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving).ToList();
        var reachableVoters = voters.Where(m => !unreachable.Contains(m.UniqueAddress)).ToList();
        var lowest = voters.OrderBy(m => m.Address, Member.AddressOrdering).FirstOrDefault();
        var majority = selfMember is { Status: MemberStatus.Up or MemberStatus.Leaving } &&
                       (reachableVoters.Count * 2 > voters.Count ||
                        (reachableVoters.Count * 2 == voters.Count && lowest is not null && reachableVoters.Contains(lowest)));
        return new ClusterView(self, selfMember is { Status: MemberStatus.Up or MemberStatus.Leaving }, views, majority,
            leader is { } l ? HostPort(l) : null);
    }

    public static string NameOf(Member member) =>
        member.Roles.FirstOrDefault(r => r.StartsWith(ClusterConfig.NameRolePrefix, StringComparison.Ordinal))?[ClusterConfig.NameRolePrefix.Length..]
        ?? HostPort(member.Address);

    public static string HostPort(Address address) => $"{address.Host}:{address.Port}";
}
