using Concentrator.Ports.Admission;

namespace Concentrator.Ports.Security;

/// <summary>What a port's ACL grants one principal.</summary>
public enum AclGrant { None, ReadOnly, ReadWrite }

/// <summary>
/// A port's <c>acl { read-write = [...], read-only = [...] }</c>. Entries: a user name of the users file, "@group",
/// "cert:CN", "ssh:user", "web:NAME" (a dashboard or API caller: an API token's name, or "local"), or "*" (anyone, also
/// an anonymous client). Each entry names one kind of principal only (see <see cref="Matches"/>). Value equality, for reloads.
/// </summary>
public sealed class AccessControlList : IEquatable<AccessControlList>
{
    public AccessControlList(IReadOnlyList<string> readWrite, IReadOnlyList<string> readOnly)
    {
        ReadWrite = readWrite;
        ReadOnly = readOnly;
    }

    public IReadOnlyList<string> ReadWrite { get; }

    public IReadOnlyList<string> ReadOnly { get; }

    /// <summary>What <paramref name="principal"/> may do: read-write wins over read-only.</summary>
    public AclGrant Grant(Principal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (ReadWrite.Any(e => Matches(e, principal)))
        {
            return AclGrant.ReadWrite;
        }

        return ReadOnly.Any(e => Matches(e, principal)) ? AclGrant.ReadOnly : AclGrant.None;
    }

    /// <summary>Whether <paramref name="entry"/> names <paramref name="principal"/> (see <see cref="Principal.IsNamedBy"/>).</summary>
    public static bool Matches(string entry, Principal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return principal.IsNamedBy(entry);
    }

    /// <summary>Why <paramref name="entry"/> cannot be an ACL entry, or null when it can.</summary>
    public static string? Problem(string entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry == Principal.AnonymousName)
        {
            return null;
        }

        var (prefix, name) = entry.StartsWith('@') ? ("@", entry[1..])
            : entry.StartsWith("cert:", StringComparison.Ordinal) ? ("cert:", entry[5..])
            : entry.StartsWith("ssh:", StringComparison.Ordinal) ? ("ssh:", entry[4..])
            : entry.StartsWith("web:", StringComparison.Ordinal) ? ("web:", entry[4..])
            : ("", entry);
        var valid = prefix == "cert:" ? name.Trim().Length > 0 : UserDirectory.IsValidName(name);
        return valid ? null : "expected a user name, \"@group\", \"cert:CN\", \"ssh:user\", \"web:NAME\" or \"*\"";
    }

    public override string ToString() => $"acl read-write [{string.Join(", ", ReadWrite)}] read-only [{string.Join(", ", ReadOnly)}]";

    public bool Equals(AccessControlList? other) =>
        other is not null && ReadWrite.SequenceEqual(other.ReadWrite) && ReadOnly.SequenceEqual(other.ReadOnly);

    public override bool Equals(object? obj) => Equals(obj as AccessControlList);

    public override int GetHashCode() => HashCode.Combine(ReadWrite.Count, ReadOnly.Count);
}
