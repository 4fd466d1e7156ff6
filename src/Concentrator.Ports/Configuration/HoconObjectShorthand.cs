using System.Text;

namespace Concentrator.Ports.Configuration;

/// <summary>
/// Rewrites HOCON's <c>key { ... }</c> as <c>key = { ... }</c> (the same thing in HOCON) before Akka's parser sees it:
/// that parser rejects a comma after the short form, so <c>{ port = 7443, tls { ... }, auth = certificate }</c>,
/// the shape the interface documents, would be a syntax error. Quoted strings and comments are left alone.
/// </summary>
internal static class HoconObjectShorthand
{
    public static string Normalize(string hocon)
    {
        var text = new StringBuilder(hocon.Length + 64);
        var i = 0;
        while (i < hocon.Length)
        {
            var c = hocon[i];
            if (c == '"')
            {
                var end = hocon.AsSpan(i).StartsWith("\"\"\"") ? IndexAfter(hocon, i + 3, "\"\"\"") : StringEnd(hocon, i + 1);
                text.Append(hocon, i, end - i);
                i = end;
                continue;
            }

            if (c == '#' || (c == '/' && i + 1 < hocon.Length && hocon[i + 1] == '/'))
            {
                var end = hocon.IndexOf('\n', i);
                end = end < 0 ? hocon.Length : end;
                text.Append(hocon, i, end - i);
                i = end;
                continue;
            }

            if (c == '{' && FollowsKey(text))
            {
                text.Append("= ");
            }

            text.Append(c);
            i++;
        }

        return text.ToString();
    }

    /// <summary>Whether what precedes (on the same line) is a key: an unquoted word not part of a ${substitution}, or a quoted key.</summary>
    private static bool FollowsKey(StringBuilder text)
    {
        var j = text.Length - 1;
        while (j >= 0 && text[j] is ' ' or '\t')
        {
            j--;
        }

        return j >= 0 && (char.IsLetterOrDigit(text[j]) || text[j] is '-' or '_' or '"');
    }

    private static int StringEnd(string hocon, int from)
    {
        for (var k = from; k < hocon.Length; k++)
        {
            if (hocon[k] == '\\')
            {
                k++;
            }
            else if (hocon[k] is '"' or '\n')
            {
                return k + 1;
            }
        }

        return hocon.Length;
    }

    private static int IndexAfter(string hocon, int from, string end)
    {
        var at = hocon.IndexOf(end, from, StringComparison.Ordinal);
        return at < 0 ? hocon.Length : at + end.Length;
    }
}
