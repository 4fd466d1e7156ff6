namespace Concentrator.Ports.Security;

/// <summary>
/// <c>concentrator passwd</c>: sets one user's password (and groups) in a users file. Written atomically (a temp file
/// in the same directory, mode 0600 from its creation, flushed, then renamed over the old one), so the daemon never
/// reads half a file and the hashes are never readable by others, not even for a moment.
/// </summary>
public static class UsersFileWriter
{
    /// <summary>Adds or replaces <paramref name="name"/>; the other users stay as they were. Throws <see cref="InvalidDataException"/> for a bad existing file.</summary>
    public static void SetPassword(string path, string name, string password, IReadOnlyList<string>? groups)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!UserDirectory.IsValidName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid user name (letters, digits, '.', '_', '-'; at most 64)", nameof(name));
        }

        if (groups?.FirstOrDefault(g => !UserDirectory.IsValidName(g)) is { } badGroup)
        {
            throw new ArgumentException($"'{badGroup}' is not a valid group name (letters, digits, '.', '_', '-')", nameof(groups));
        }

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

        var keptGroups = groups ?? accounts.GetValueOrDefault(name)?.Groups ?? [];
        accounts[name] = new UserAccount(name, PasswordHasher.Hash(password), keptGroups);
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
