using System.Text;

namespace Concentrator.Devices;

/// <summary>
/// Splits a command line into argv the way a user expects without any shell: words are separated by spaces or tabs;
/// '...' is taken literally; "..." keeps spaces and takes \" and \\ as escapes; outside quotes a backslash takes the
/// next character literally. Nothing is expanded ($, *, ~ stay as they are).
/// </summary>
public static class CommandWords
{
    /// <summary>The words of <paramref name="text"/>; false with a reason for an unterminated quote or no words.</summary>
    public static bool TrySplit(string text, out IReadOnlyList<string> words, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        words = result;
        error = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case ' ' or '\t':
                    if (inWord)
                    {
                        result.Add(word.ToString());
                        word.Clear();
                        inWord = false;
                    }

                    break;
                case '\'':
                    var close = text.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        error = "a single quote is not closed";
                        return false;
                    }

                    word.Append(text, i + 1, close - i - 1);
                    i = close;
                    inWord = true;
                    break;
                case '"':
                    inWord = true;
                    for (i++; ; i++)
                    {
                        if (i >= text.Length)
                        {
                            error = "a double quote is not closed";
                            return false;
                        }

                        if (text[i] == '"')
                        {
                            break;
                        }

                        if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\')
                        {
                            i++;
                        }

                        word.Append(text[i]);
                    }

                    break;
                case '\\' when i + 1 < text.Length:
                    word.Append(text[++i]);
                    inWord = true;
                    break;
                default:
                    word.Append(c);
                    inWord = true;
                    break;
            }
        }

        if (inWord)
        {
            result.Add(word.ToString());
        }

        if (result.Count == 0)
        {
            error = "no program given";
            return false;
        }

        return true;
    }

    /// <summary>The inverse of <see cref="TrySplit"/>: words quoted where needed, so they split back to themselves.</summary>
    public static string Join(IEnumerable<string> words) =>
        string.Join(' ', words.Select(w => w.Length > 0 && w.All(c => !char.IsWhiteSpace(c) && c is not '\'' and not '"' and not '\\')
            ? w
            : "'" + w.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
}
