using System.Buffers.Binary;
using System.Text;

namespace Concentrator.Ports.Security.Ssh;

/// <summary>
/// Reads the valid principals out of an OpenSSH user certificate blob (PROTOCOL.certkeys). Only the principals: sshd
/// has already checked the signature against TrustedUserCAKeys, the validity window and the certificate type before
/// it asks AuthorizedPrincipalsCommand, so nothing here decides trust; it only says which names the certificate carries.
/// </summary>
public static class SshCertificate
{
    /// <summary>The key fields that sit between the nonce and the serial, per certificate type (SSH strings or mpints: both length-prefixed).</summary>
    private static int KeyFieldCount(string type) => type switch
    {
        "ssh-ed25519-cert-v01@openssh.com" => 1,
        "ssh-rsa-cert-v01@openssh.com" => 2,
        "ssh-dss-cert-v01@openssh.com" => 4,
        "sk-ssh-ed25519-cert-v01@openssh.com" => 2,
        _ when type.StartsWith("ecdsa-sha2-", StringComparison.Ordinal) => 2,
        _ when type.StartsWith("sk-ecdsa-sha2-", StringComparison.Ordinal) => 3,
        _ => -1,
    };

    /// <summary>The certificate's principals in its own order; null when the blob is not a certificate this reads.</summary>
    public static IReadOnlyList<string>? Principals(byte[] blob)
    {
        ArgumentNullException.ThrowIfNull(blob);
        var reader = new Reader(blob);
        if (reader.String() is not { } typeBytes || KeyFieldCount(Encoding.ASCII.GetString(typeBytes)) is var fields && fields < 0)
        {
            return null;
        }

        if (reader.String() is null) // nonce
        {
            return null;
        }

        for (var i = 0; i < fields; i++)
        {
            if (reader.String() is null)
            {
                return null;
            }
        }

        if (!reader.Skip(8 + 4) || reader.String() is null || reader.String() is not { } packed) // serial, type, key id
        {
            return null;
        }

        var principals = new List<string>();
        var inner = new Reader(packed);
        while (!inner.AtEnd)
        {
            if (inner.String() is not { } principal)
            {
                return null;
            }

            principals.Add(Encoding.UTF8.GetString(principal));
        }

        return principals;
    }

    private sealed class Reader(byte[] data)
    {
        private int _offset;

        public bool AtEnd => _offset >= data.Length;

        public byte[]? String()
        {
            if (data.Length - _offset < 4)
            {
                return null;
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(_offset));
            if (length > (uint)(data.Length - _offset - 4))
            {
                return null;
            }

            var value = data.AsSpan(_offset + 4, (int)length).ToArray();
            _offset += 4 + (int)length;
            return value;
        }

        public bool Skip(int count)
        {
            if (data.Length - _offset < count)
            {
                return false;
            }

            _offset += count;
            return true;
        }
    }
}
