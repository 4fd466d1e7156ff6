using System.Buffers.Binary;
using System.Text;
using Concentrator.Ports.Security.Ssh;

namespace Concentrator.Ports.Tests.Security.Ssh;

/// <summary>SSH key blobs built by hand (the wire format: length-prefixed strings), for tests that need no ssh-keygen.</summary>
internal static class SshKeyBlobs
{
    public static byte[] Strings(params byte[][] fields)
    {
        var blob = new List<byte>();
        foreach (var field in fields)
        {
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)field.Length);
            blob.AddRange(length);
            blob.AddRange(field);
        }

        return [.. blob];
    }

    public static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    public static SshPublicKey Ed25519Key(int seed = 1)
    {
        var point = new byte[32];
        new Random(seed).NextBytes(point);
        var blob = Strings(Text("ssh-ed25519"), point);
        return SshPublicKey.From("ssh-ed25519", Convert.ToBase64String(blob), out var problem) ?? throw new InvalidOperationException(problem);
    }
}
