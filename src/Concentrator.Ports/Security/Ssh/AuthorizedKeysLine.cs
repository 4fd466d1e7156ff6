using System.Text;

namespace Concentrator.Ports.Security.Ssh;

/// <summary>
/// The lines <c>concentrator ssh-keys</c> prints for sshd: an authorized_keys line for a users-file key, or a
/// <c>cert-authority,principals="NAME"</c> line with the user CA's key for a certificate; both pin the principal with
/// <c>restrict,pty,command="… ssh-entry --principal NAME"</c>, so whatever the SSH client asks for, sshd runs only
/// that command, with no forwarding of any kind. The command is read twice, by sshd (inside the double quotes, where
/// only <c>\"</c> is special) and then by the console account's shell; so every word is single-quoted for the shell
/// and a word holding a quote, backslash or control character is refused rather than escaped: no name or path can
/// end the option early or add one.
/// </summary>
/// <param name="Executable">The words that start concentrator (its path, or dotnet and the dll).</param>
/// <param name="Socket">The daemon's security.ssh-entry-socket.</param>
public sealed record AuthorizedKeysLine(IReadOnlyList<string> Executable, string Socket)
{
    /// <summary>The authorized_keys line giving <paramref name="key"/> the principal <paramref name="principal"/>.</summary>
    public string ForKey(string principal, SshPublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.IsCertificate)
        {
            throw new ArgumentException("a certificate is matched by principal, not as a key", nameof(key));
        }

        return $"{Options(principal)} {key}";
    }

    /// <summary>
    /// The authorized_keys line accepting a certificate signed by <paramref name="userCa"/> that names
    /// <paramref name="principal"/>: sshd checks the signature against that CA key and the principal against the
    /// certificate, so a certificate from another CA, or for another name, does not match it.
    /// </summary>
    public string ForCertificate(string principal, SshPublicKey userCa)
    {
        ArgumentNullException.ThrowIfNull(userCa);
        var options = Options(principal); // checks the name before it goes between quotes
        return $"cert-authority,principals=\"{principal}\",{options} {userCa}";
    }

    /// <summary><c>restrict,pty,command="…"</c> for <paramref name="principal"/>; throws for a name that is not a users-file name.</summary>
    public string Options(string principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (!UserDirectory.IsValidName(principal))
        {
            throw new ArgumentException($"'{principal}' is not a users-file name; it cannot be put in an authorized_keys line", nameof(principal));
        }

        var words = Executable.Concat(["ssh-entry", "--socket", Socket, "--principal", principal]);
        return $"restrict,pty,command=\"{string.Join(' ', words.Select(ShellWord))}\"";
    }

    /// <summary>One word for the shell: bare when it is plain, single-quoted otherwise; refused when no quoting is safe in both readings.</summary>
    public static string ShellWord(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length == 0 || word.Any(c => c is '\'' or '"' or '\\' || char.IsControl(c)))
        {
            throw new ArgumentException($"'{word}' cannot go into a forced command (quotes, backslashes and control characters are refused)", nameof(word));
        }

        return word.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or ':' or '=' or '+' or ',' or '@')
            ? word
            : new StringBuilder("'").Append(word).Append('\'').ToString();
    }
}
