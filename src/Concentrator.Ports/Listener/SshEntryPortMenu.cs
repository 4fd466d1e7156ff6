using Concentrator.Ports.Admission;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Security;

namespace Concentrator.Ports.Listener;

/// <summary>
/// The ports an SSH front-door user may open, for its menu and <c>ssh console@host ports</c>: one line per port the
/// port's ACL lets the principal use (no ACL: anyone), in name order, "name TAB read-write|read-only TAB tag,tag".
/// What the ACL says only; a lease or the write lock may still make a session read-only when it joins.
/// </summary>
public static class SshEntryPortMenu
{
    public static IReadOnlyList<string> Lines(IEnumerable<PortSettings> ports, Principal principal)
    {
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(principal);
        return [.. ports
            .Select(p => (p.Name, Grant: p.Acl?.Grant(principal) ?? AclGrant.ReadWrite, Tags: p.TagList))
            .Where(p => p.Grant != AclGrant.None)
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => $"{p.Name}\t{(p.Grant == AclGrant.ReadWrite ? "read-write" : "read-only")}\t{string.Join(',', p.Tags)}")];
    }
}
