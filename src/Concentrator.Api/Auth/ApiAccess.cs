using System.Security.Cryptography;
using System.Text;

namespace Concentrator.Api.Auth;

/// <summary>
/// Who may use the API right now: the tokens from the tokens file and whether anonymous loopback callers may act.
/// Replaced as a whole by a reload (one volatile reference), so a request never sees half of an old and half of a
/// new set.
/// </summary>
public sealed class ApiAccess(IReadOnlyList<ApiToken> tokens, bool allowAnonymousActions)
{
    private volatile State _state = new(tokens, allowAnonymousActions);

    public bool AllowAnonymousActions => _state.AllowAnonymousActions;

    public void Replace(IReadOnlyList<ApiToken> tokens, bool allowAnonymousActions) => _state = new State(tokens, allowAnonymousActions);

    /// <summary>The token whose hash matches, or null. Every stored hash is compared in constant time.</summary>
    public ApiToken? Find(string presented) => FindByHash(TokenFile.HashOf(presented));

    /// <summary>The token whose hash is <paramref name="sha256Hex"/> (a dashboard session's), or null once it left the tokens file.</summary>
    public ApiToken? FindByHash(string sha256Hex)
    {
        var hash = Encoding.ASCII.GetBytes(sha256Hex);
        ApiToken? found = null;
        foreach (var token in _state.Tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, Encoding.ASCII.GetBytes(token.Sha256Hex)))
            {
                found = token;
            }
        }

        return found;
    }

    private sealed record State(IReadOnlyList<ApiToken> Tokens, bool AllowAnonymousActions);
}
