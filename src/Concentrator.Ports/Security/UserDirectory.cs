using System.Globalization;

namespace Concentrator.Ports.Security;

/// <summary>One user of the users file: a name, a bcrypt hash and the groups ACLs name as "@group".</summary>
public sealed record UserAccount(string Name, string Hash, IReadOnlyList<string> Groups);

/// <summary>
/// The users of <c>security.users-file</c>, one per line: <c>name:bcrypt-hash:group,group</c>; blank lines and lines
/// starting with '#' are ignored. Written by <c>concentrator passwd</c>; read whole at config time, where a bad line
/// is an error naming the file and the line (the daemon does not start half-configured).
/// </summary>
public sealed class UserDirectory
{
    private readonly Dictionary<string, UserAccount> _users;

    private UserDirectory(Dictionary<string, UserAccount> users) => _users = users;

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
        if (_users.TryGetValue(name, out var account))
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
                problems.Add((i + 1, "expected name:bcrypt-hash:groups (names of letters, digits, '.', '_', '-'; a $2b$ hash " +
                                     "as `concentrator passwd` writes it)"));
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
        if (fields.Length is < 2 or > 3 || !IsValidName(fields[0]) || !PasswordHasher.IsHash(fields[1]))
        {
            return null;
        }

        var groups = fields.Length == 3 && fields[2].Length > 0 ? fields[2].Split(',') : [];
        return groups.All(IsValidName) ? new UserAccount(fields[0], fields[1], groups) : null;
    }

    /// <summary>The file text for these accounts (what <see cref="Parse"/> reads).</summary>
    public static string Format(IEnumerable<UserAccount> accounts) =>
        "# concentrator users: name:bcrypt-hash:groups (written by `concentrator passwd`)\n" +
        string.Concat(accounts.OrderBy(a => a.Name, StringComparer.Ordinal)
            .Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.Name}:{a.Hash}:{string.Join(',', a.Groups)}\n")));
}
