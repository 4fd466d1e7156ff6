using System.Security.Cryptography;

namespace Concentrator.Leases.Domain;

/// <summary>Where lease ids and tokens come from (random in the daemon; predictable in tests).</summary>
public interface ILeaseIdentities
{
    string NewId();

    string NewToken();
}

/// <summary>Ids: 12 random base32 characters (60 bits, unique across restarts and nodes without coordination); tokens: 256 random bits.</summary>
public sealed class RandomLeaseIdentities : ILeaseIdentities
{
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyz23456789"; // no l/o/0/1: read aloud and typed without mistakes

    public static RandomLeaseIdentities Instance { get; } = new();

    public string NewId()
    {
        Span<byte> bytes = stackalloc byte[12];
        RandomNumberGenerator.Fill(bytes);
        Span<char> id = stackalloc char[12];
        for (var i = 0; i < id.Length; i++)
        {
            id[i] = Alphabet[bytes[i] & 31];
        }

        return new string(id);
    }

    public string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
