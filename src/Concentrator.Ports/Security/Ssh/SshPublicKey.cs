using System.Buffers.Binary;
using System.Text;

namespace Concentrator.Ports.Security.Ssh;

/// <summary>
/// An OpenSSH public key as authorized_keys and sshd's <c>%t %k</c> spell it: a key type and the base64 blob (the
/// comment is dropped). Parsed strictly: the type is one of the characters OpenSSH's names use, the blob is valid
/// base64 and begins with its own type name, so neither can smuggle a space, quote or comma into a line we print.
/// </summary>
public sealed record SshPublicKey(string Type, string Base64)
{
    private const string TypeCharacters = "abcdefghijklmnopqrstuvwxyz0123456789-.@";

    /// <summary>Whether <paramref name="type"/> names a certificate (…-cert-v01@openssh.com).</summary>
    public static bool IsCertificateType(string type) =>
        type.EndsWith("-cert-v01@openssh.com", StringComparison.Ordinal);

    public bool IsCertificate => IsCertificateType(Type);

    /// <summary>The blob's bytes (valid by construction).</summary>
    public byte[] Blob => Convert.FromBase64String(Base64);

    /// <summary>"type base64 [comment]" as ssh-keygen writes a .pub file; null with the reason when it is not one.</summary>
    public static SshPublicKey? Parse(string text, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().Split([' ', '\t'], 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2)
        {
            problem = "expected \"TYPE BASE64 [comment]\" as in a .pub file, e.g. \"ssh-ed25519 AAAA... alice@laptop\"";
            return null;
        }

        return From(parts[0], parts[1], out problem);
    }

    /// <summary>A key from its type and blob, as sshd passes them (%t %k); null with the reason when they do not make one.</summary>
    public static SshPublicKey? From(string type, string base64, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(base64);
        problem = null;
        if (type.Length is 0 or > 64 || type.AsSpan().IndexOfAnyExcept(TypeCharacters) >= 0)
        {
            problem = $"'{Shorten(type)}' is not an SSH key type (e.g. ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256)";
            return null;
        }

        byte[] blob;
        try
        {
            blob = base64.Length <= 16384 ? Convert.FromBase64String(base64) : throw new FormatException();
        }
        catch (FormatException)
        {
            problem = "the key is not valid base64";
            return null;
        }

        if (ReadTypeName(blob) != type)
        {
            problem = $"the key's blob is not a {type} key";
            return null;
        }

        return new SshPublicKey(type, Convert.ToBase64String(blob));
    }

    /// <summary>"type base64", as the users file and authorized_keys lines hold it.</summary>
    public override string ToString() => $"{Type} {Base64}";

    /// <summary>The first SSH string of a key blob: its type name.</summary>
    private static string? ReadTypeName(byte[] blob)
    {
        if (blob.Length < 4)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(blob);
        return length <= (uint)(blob.Length - 4) ? Encoding.ASCII.GetString(blob, 4, (int)length) : null;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
