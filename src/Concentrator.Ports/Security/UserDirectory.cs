using System.Globalization;
using Concentrator.Ports.Security.Ssh;

namespace Concentrator.Ports.Security;

/// <summary>
/// One user of the users file: a name, a bcrypt hash (or <see cref="UserDirectory.NoPassword"/>), the groups ACLs name
/// as "@group", and the SSH public keys that log in as this user through the SSH front door.
/// </summary>
public sealed record UserAccount(string Name, string Hash, IReadOnlyList<string> Groups)
{
    public IReadOnlyList<SshPublicKey> Keys { get; init; } = [];

    /// <summary>Whether the account has a password at all (a keys-only account has not).</summary>
    public bool HasPassword => Hash != UserDirectory.NoPassword;
}

/// <summary>
/// The users of <c>security.users-file</c>, one per line: <c>name:bcrypt-hash:group,group:ssh-key,ssh-key</c> (the
/// keys field optional, each key "type base64"; the hash "!" for an account that logs in with keys only); blank lines
/// and lines starting with '#' are ignored. Written by <c>concentrator passwd</c>; read whole at config time, where a bad line
/// is an error naming the file and the line (the daemon does not start half-configured).
/// </summary>
public sealed class UserDirectory
{
    private readonly Dictionary<string, UserAccount> _users;

    /// <summary>The hash field of an account without a password: no password matches it.</summary>
    public const string NoPassword = "!";

    private UserDirectory(Dictionary<string, UserAccount> users) => _users = users;

    /// <summary>The account holding the SSH key <paramref name="key"/>, or null (a key is refused when two accounts hold it).</summary>
    public UserAccount? FindByKey(SshPublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var holders = _users.Values.Where(a => a.Keys.Contains(key)).Take(2).ToList();
        return holders.Count == 1 ? holders[0] : null;
    }

    public static UserDirectory Empty { get; } = new(new Dictionary<string, UserAccount>(StringComparer.Ordinal));

    public int Count => _users.Count;

    public IEnumerable<UserAccount> Accounts => _users.Values;

    public UserAccount? Find(string name) => _users.GetValueOrDefault(name);

    /// <summary>
    /// Checks a login: the account when the password matches, null otherwise (unknown users take as long as wrong
    /// passwords). Slow on purpose: never call it on an actor thread.
    /// </summary>
    public UserAccount? Verify(string name, string password)
    {
        if (_users.TryGetValue(name, out var account) && account.HasPassword)
        {
            return PasswordHasher.Verify(password, account.Hash) ? account : null;
        }

        PasswordHasher.VerifyNothing(password);
        return null;
    }

    /// <summary>
    /// <see cref="Verify"/> on the thread pool, at most half the cores' worth at once: a storm of logins (from many
    /// sources, each within its login-attempts) waits its turn instead of taking every thread from the daemon.
    /// </summary>
    public async Task<UserAccount?> VerifyAsync(string name, string password)
    {
        await VerifySlots.WaitAsync().ConfigureAwait(false);
        try
        {
            return await Task.Run(() => Verify(name, password)).ConfigureAwait(false);
        }
        finally
        {
            VerifySlots.Release();
        }
    }

    private static readonly SemaphoreSlim VerifySlots = new(Math.Max(1, Environment.ProcessorCount / 2));

    /// <summary>User and group names: letters, digits, '.', '_', '-'; no ':' (the separator), no '@' or '*' (ACL syntax).</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 64 && name.AsSpan().IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") < 0;

    /// <summary>Parses the text of a users file; every bad line is reported with its number.</summary>
    public static UserDirectory Parse(string text, List<(int Line, string Problem)> problems)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(problems);
        var users = new Dictionary<string, UserAccount>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (ParseLine(line) is not { } account)
            {
                problems.Add((i + 1, "expected name:bcrypt-hash:groups:ssh-keys (names of letters, digits, '.', '_', '-'; a $2b$ hash " +
                                     "as `concentrator passwd` writes it, or ! for none; keys as \"ssh-ed25519 AAAA...\", comma-separated)"));
            }
            else if (!users.TryAdd(account.Name, account))
            {
                problems.Add((i + 1, $"user '{account.Name}' appears twice"));
            }
        }

        return new UserDirectory(users);
    }

    private static UserAccount? ParseLine(string line)
    {
        var fields = line.Split(':');
        if (fields.Length is < 2 or > 4 || !IsValidName(fields[0]) || !(fields[1] == NoPassword || PasswordHasher.IsHash(fields[1])))
        {
            return null;
        }

        var groups = fields.Length >= 3 && fields[2].Length > 0 ? fields[2].Split(',') : [];
        var keys = new List<SshPublicKey>();
        foreach (var text in fields.Length == 4 && fields[3].Length > 0 ? fields[3].Split(',') : [])
        {
            if (SshPublicKey.Parse(text, out _) is not { } key || key.IsCertificate)
            {
                return null;
            }

            keys.Add(key);
        }

        return groups.All(IsValidName) ? new UserAccount(fields[0], fields[1], groups) { Keys = keys } : null;
    }

    /// <summary>The file text for these accounts (what <see cref="Parse"/> reads).</summary>
    public static string Format(IEnumerable<UserAccount> accounts) =>
        "# concentrator users: name:bcrypt-hash:groups[:ssh-keys] (written by `concentrator passwd`)\n" +
        string.Concat(accounts.OrderBy(a => a.Name, StringComparer.Ordinal)
            .Select(a => string.Create(CultureInfo.InvariantCulture,
                $"{a.Name}:{a.Hash}:{string.Join(',', a.Groups)}{(a.Keys.Count > 0 ? ":" + string.Join(',', a.Keys) : "")}\n")));
}
