using System.Text;

namespace Concentrator.Ports.Security;

/// <summary>
/// The <c>login:</c> / <c>Password:</c> exchange of a password listener, as a pure line editor: client bytes in, what
/// to echo and (once both lines are in) the credentials out. The server has offered WILL ECHO, so the client shows
/// nothing itself: the name is echoed here, the password never is. Lines are bounded; Ctrl-C or Ctrl-D gives up.
/// </summary>
public sealed class LoginDialogue
{
    public const string UserPrompt = "login: ";
    public const string PasswordPrompt = "Password: ";
    private const int MaxLineBytes = 128;

    private readonly List<byte> _line = [];
    private string? _user;
    private bool _afterCr;

    /// <summary>What a <see cref="Feed"/> call ended with.</summary>
    public enum Outcome { MoreInput, Entered, GaveUp }

    /// <summary>The user name entered (set with <see cref="Outcome.Entered"/>).</summary>
    public string User => _user ?? "";

    /// <summary>The password entered (set with <see cref="Outcome.Entered"/>); never logged, never echoed.</summary>
    public string Password { get; private set; } = "";

    /// <summary>Whether the password line is being typed (nothing typed is echoed then).</summary>
    public bool AtPassword => _user is not null;

    /// <summary>
    /// Takes typed bytes; appends what to show the user to <paramref name="echo"/>. Bytes after the password line
    /// are dropped: nobody has seen the console yet, so nothing was meant for it.
    /// </summary>
    public Outcome Feed(ReadOnlySpan<byte> typed, StringBuilder echo)
    {
        ArgumentNullException.ThrowIfNull(echo);
        foreach (var b in typed)
        {
            var wasCr = _afterCr;
            _afterCr = b == '\r';
            switch (b)
            {
                case (byte)'\n' when wasCr:
                case 0:
                    break; // CR LF and CR NUL end a line once
                case (byte)'\r' or (byte)'\n':
                    if (EndLine(echo))
                    {
                        return Outcome.Entered;
                    }

                    break;
                case 3 or 4: // Ctrl-C, Ctrl-D
                    echo.Append("\r\n");
                    return Outcome.GaveUp;
                case 8 or 127: // backspace, DEL
                    if (_line.Count > 0)
                    {
                        while (_line.Count > 1 && (_line[^1] & 0xC0) == 0x80)
                        {
                            _line.RemoveAt(_line.Count - 1); // a whole UTF-8 character goes
                        }

                        _line.RemoveAt(_line.Count - 1);
                        if (!AtPassword)
                        {
                            echo.Append("\b \b");
                        }
                    }

                    break;
                case 21: // Ctrl-U: start the line again
                    if (!AtPassword)
                    {
                        echo.Append('\b', _line.Count).Append(' ', _line.Count).Append('\b', _line.Count);
                    }

                    _line.Clear();
                    break;
                case < 32:
                    break; // other control characters mean nothing here
                default:
                    if (_line.Count < MaxLineBytes)
                    {
                        _line.Add(b);
                        if (!AtPassword && (b & 0xC0) != 0x80)
                        {
                            echo.Append(b < 0x80 ? (char)b : '*');
                        }
                    }

                    break;
            }
        }

        return Outcome.MoreInput;
    }

    /// <summary>Starts over after a failed login (the user is prompted for a name again).</summary>
    public void Reset()
    {
        _line.Clear();
        _user = null;
        Password = "";
    }

    private bool EndLine(StringBuilder echo)
    {
        var text = Encoding.UTF8.GetString([.. _line]);
        _line.Clear();
        echo.Append("\r\n");
        if (_user is null)
        {
            if (text.Trim().Length == 0)
            {
                echo.Append(UserPrompt); // like getty: an empty name asks again
                return false;
            }

            _user = text.Trim();
            echo.Append(PasswordPrompt);
            return false;
        }

        Password = text;
        return true;
    }
}
