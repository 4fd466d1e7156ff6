using System.Text;

namespace Concentrator.Ports.Security;

/// <summary>
/// bcrypt, salted and slow: "$2b$12$" + 22 characters of salt + 31 of hash. Verifying costs ~0.2 s of CPU by design,
/// so callers run it off any actor thread (Task.Run, then PipeTo).
/// </summary>
public static class PasswordHasher
{
    /// <summary>2^12 rounds: ~0.2 s per check on a 2-core machine; slow for a guesser, quick enough for a person.</summary>
    public const int WorkFactor = 12;

    /// <summary>bcrypt reads at most this many bytes of a password; longer ones are refused rather than silently cut.</summary>
    public const int MaxPasswordBytes = 72;

    private static readonly Lazy<string> DummyHash = new(() => Hash("not a real password"));

    public static string Hash(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (Encoding.UTF8.GetByteCount(password) > MaxPasswordBytes)
        {
            throw new ArgumentException($"a password may have at most {MaxPasswordBytes} bytes (bcrypt ignores the rest)", nameof(password));
        }

        return BCrypt.Net.BCrypt.HashPassword(password, BCrypt.Net.BCrypt.GenerateSalt(WorkFactor, 'b'));
    }

    /// <summary>Whether <paramref name="password"/> matches <paramref name="hash"/>; false for a malformed hash.</summary>
    public static bool Verify(string password, string hash)
    {
        try
        {
            return BCrypt.Net.BCrypt.Verify(password, hash);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            return false;
        }
    }

    /// <summary>Spends the time a real check would, so an unknown user cannot be told from a wrong password by timing.</summary>
    public static void VerifyNothing(string password) => _ = Verify(password, DummyHash.Value);

    /// <summary>Whether <paramref name="hash"/> is a bcrypt hash this library verifies ($2a$, $2b$, $2y$, cost 4..31).</summary>
    public static bool IsHash(string hash) =>
        hash.Length == 60 && hash[0] == '$' && hash[1] == '2' && hash[2] is 'a' or 'b' or 'y' && hash[3] == '$' &&
        char.IsAsciiDigit(hash[4]) && char.IsAsciiDigit(hash[5]) && hash[6] == '$' &&
        int.Parse(hash.AsSpan(4, 2), System.Globalization.CultureInfo.InvariantCulture) is >= 4 and <= 31 &&
        hash.AsSpan(7).IndexOfAnyExcept("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") < 0;
}
