using Concentrator.Ports.Security.Ssh;

namespace Concentrator.Ports.Security;

/// <summary>
/// <c>concentrator passwd</c>: sets one user's password (and groups), or adds or removes one of its SSH keys, in a
/// users file. Written atomically (a temp file in the same directory, mode 0600 from its creation, flushed, then
/// renamed over the old one), so the daemon never reads half a file and the hashes are never readable by others, not
/// even for a moment.
/// </summary>
public static class UsersFileWriter
{
    /// <summary>Adds or replaces <paramref name="name"/>; the other users stay as they were. Throws <see cref="InvalidDataException"/> for a bad existing file.</summary>
    public static void SetPassword(string path, string name, string password, IReadOnlyList<string>? groups)
    {
        ArgumentNullException.ThrowIfNull(path);
        CheckNames(name, groups);
        Change(path, name, existing => new UserAccount(name, PasswordHasher.Hash(password), groups ?? existing?.Groups ?? [])
        {
            Keys = existing?.Keys ?? [],
        });
    }

    /// <summary>
    /// Gives <paramref name="name"/> the SSH key <paramref name="key"/> (a user not yet in the file is added without a
    /// password: keys only). Throws <see cref="ArgumentException"/> when another user holds the key already.
    /// </summary>
    public static void AddKey(string path, string name, SshPublicKey key, IReadOnlyList<string>? groups)
    {
        ArgumentNullException.ThrowIfNull(key);
        CheckNames(name, groups);
        Change(path, name, existing => (existing ?? new UserAccount(name, UserDirectory.NoPassword, [])) with
        {
            Groups = groups ?? existing?.Groups ?? [],
            Keys = existing is null ? [key] : existing.Keys.Contains(key) ? existing.Keys : [.. existing.Keys, key],
        }, others =>
        {
            if (others.FirstOrDefault(a => a.Name != name && a.Keys.Contains(key)) is { } holder)
            {
                throw new ArgumentException($"the key is already {holder.Name}'s: one key logs in as one user", nameof(key));
            }
        });
    }

    /// <summary>Takes the SSH key <paramref name="key"/> from <paramref name="name"/>; false when the user did not have it.</summary>
    public static bool RemoveKey(string path, string name, SshPublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        CheckNames(name, null);
        var removed = false;
        Change(path, name, existing =>
        {
            if (existing is null)
            {
                throw new ArgumentException($"there is no user '{name}' in {path}", nameof(name));
            }

            removed = existing.Keys.Contains(key);
            return existing with { Keys = [.. existing.Keys.Where(k => k != key)] };
        });
        return removed;
    }

    private static void CheckNames(string name, IReadOnlyList<string>? groups)
    {
        if (!UserDirectory.IsValidName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid user name (letters, digits, '.', '_', '-'; at most 64)", nameof(name));
        }

        if (groups?.FirstOrDefault(g => !UserDirectory.IsValidName(g)) is { } badGroup)
        {
            throw new ArgumentException($"'{badGroup}' is not a valid group name (letters, digits, '.', '_', '-')", nameof(groups));
        }
    }

    /// <summary>Reads the file (a bad one is an error, never overwritten), replaces one account, writes it back atomically.</summary>
    private static void Change(string path, string name, Func<UserAccount?, UserAccount> change, Action<IEnumerable<UserAccount>>? check = null)
    {
        var accounts = new Dictionary<string, UserAccount>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            var problems = new List<(int Line, string Problem)>();
            var existing = UserDirectory.Parse(File.ReadAllText(path), problems);
            if (problems.Count > 0)
            {
                throw new InvalidDataException($"{path}: line {problems[0].Line}: {problems[0].Problem}; fix it before changing the file");
            }

            foreach (var account in existing.Accounts)
            {
                accounts[account.Name] = account;
            }
        }

        var changed = change(accounts.GetValueOrDefault(name));
        check?.Invoke(accounts.Values);
        accounts[name] = changed;
        WriteAtomically(path, UserDirectory.Format(accounts.Values));
    }

    private static void WriteAtomically(string path, string text)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? ".";
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temp, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(text);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
