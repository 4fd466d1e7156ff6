using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Concentrator.Api.Auth;

/// <summary>
/// The API's tokens file: one token per line, <c>NAME ROLE SHA256HEX</c> (ROLE = read | operate | lease | admin), <c>#</c> comments.
/// Only hashes are stored: a leaked file gives nobody a token. A file that others may read or write is refused,
/// like ssh refuses a private key with loose permissions. Tokens are made by <see cref="Add"/> and shown once.
/// </summary>
public static class TokenFile
{
    /// <summary>Marks our tokens in logs, scanners and shell history ("concentrator token").</summary>
    public const string TokenPrefix = "cct_";

    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Reads and checks the file: every problem names the file and line.</summary>
    public static (IReadOnlyList<ApiToken> Tokens, IReadOnlyList<string> Problems) Load(string path)
    {
        var problems = new List<string>();
        var tokens = new List<ApiToken>();
        if (PermissionProblem(path) is { } loose)
        {
            return ([], [loose]);
        }

        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ([], [$"{path}: cannot read the tokens file: {e.Message}"]);
        }

        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var where = $"{path}:{i + 1}";
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 3)
            {
                problems.Add($"{where}: expected NAME ROLE SHA256HEX (three words), got {fields.Length} word(s)");
                continue;
            }

            if (ParseRole(fields[1]) is not { } role)
            {
                problems.Add($"{where}: role '{fields[1]}': expected {RoleWords}");
                continue;
            }

            if (fields[2].Length != 64 || !fields[2].All(char.IsAsciiHexDigit))
            {
                problems.Add($"{where}: the third word must be the token's SHA-256 in hex (64 characters), never the token itself");
                continue;
            }

            if (tokens.Any(t => t.Name == fields[0]))
            {
                problems.Add($"{where}: the name '{fields[0]}' is already used by an earlier line");
                continue;
            }

            tokens.Add(new ApiToken(fields[0], role, fields[2].ToLowerInvariant()));
        }

        return (tokens, problems);
    }

    /// <summary>Makes a new random token for <paramref name="name"/>, appends its hash line and returns the token (to show once).</summary>
    public static string Add(string path, string name, ApiRole role)
    {
        if (name.Length == 0 || name.Any(char.IsWhiteSpace) || name.StartsWith('#'))
        {
            throw new TokenFileException($"token name '{name}': one word without spaces, not starting with #");
        }

        if (File.Exists(path))
        {
            var (existing, problems) = Load(path);
            if (problems.Count > 0)
            {
                throw new TokenFileException(string.Join("\n", problems));
            }

            if (existing.Any(t => t.Name == name))
            {
                throw new TokenFileException($"{path}: a token named '{name}' exists already; pick another name or remove its line first");
            }
        }

        var token = TokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var line = string.Create(CultureInfo.InvariantCulture, $"{name} {RoleWord(role)} {HashOf(token)}\n");
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = Private; // a new file is private from its first byte
        }

        var isNew = !File.Exists(path);
        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
        {
            if (isNew)
            {
                writer.Write("# concentrator API tokens: NAME ROLE SHA256(token). Written by `concentrator token add`; tokens are never stored.\n");
            }

            writer.Write(line);
        }

        return token;
    }

    /// <summary>SHA-256 of the token's UTF-8 bytes, lowercase hex: what the file stores and what a request is checked against.</summary>
    public static string HashOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>The role words, for messages.</summary>
    public const string RoleWords = "read | operate | lease | audit | admin";

    public static ApiRole? ParseRole(string word) => word.ToLowerInvariant() switch
    {
        "admin" => ApiRole.Admin,
        "read" => ApiRole.Read,
        "operate" => ApiRole.Operate,
        "lease" => ApiRole.Lease,
        "audit" => ApiRole.Audit,
        _ => null,
    };

    public static string RoleWord(ApiRole role) => role switch
    {
        ApiRole.Admin => "admin",
        ApiRole.Operate => "operate",
        ApiRole.Lease => "lease",
        ApiRole.Audit => "audit",
        _ => "read",
    };

    /// <summary>Why the file must not be used (missing, or readable or writable by others), or null.</summary>
    public static string? PermissionProblem(string path)
    {
        if (!File.Exists(path))
        {
            return $"{path}: the tokens file does not exist (create it with `concentrator token add NAME --role admin --tokens-file {path}`)";
        }

        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var mode = File.GetUnixFileMode(path);
        const UnixFileMode others = UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        return (mode & others) != 0
            ? $"{path}: the tokens file is readable or writable by others (mode {Convert.ToString((int)mode, 8)}); run chmod 600 {path}"
            : null;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>The tokens file could not be used or changed; the message says why and where.</summary>
public sealed class TokenFileException(string message) : Exception(message);
