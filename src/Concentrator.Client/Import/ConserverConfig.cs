using System.Text;

namespace Concentrator.Client.Import;

/// <summary>One <c>keyword value ...;</c> inside a conserver.cf block; values split on white space and commas.</summary>
internal sealed record ConserverItem(string Key, IReadOnlyList<string> Values, int Line)
{
    /// <summary>The values as one string, the way single-valued keywords read them.</summary>
    public string Text => string.Join(' ', Values);
}

/// <summary>One <c>KIND NAME { items }</c> block of conserver.cf (default, console, break, group, access, config).</summary>
internal sealed record ConserverBlock(string Kind, string Name, IReadOnlyList<ConserverItem> Items, int Line);

/// <summary>
/// Reads conserver.cf's syntax (conserver.cf(5), PARSER): blocks of items terminated by ';', '#' comments to the end of
/// the line, double-quoted strings. Escapes inside strings (break strings' \r, \d, \033) are kept for the caller.
/// Pure: text in, blocks out.
/// </summary>
internal static class ConserverConfig
{
    public static IReadOnlyList<ConserverBlock> Parse(string text)
    {
        var tokens = Tokenize(text);
        var blocks = new List<ConserverBlock>();
        var i = 0;
        while (i < tokens.Count)
        {
            var kind = tokens[i];
            if (kind.Punctuation)
            {
                throw new ImportFormatException($"line {kind.Line}: expected a block keyword (console, default, ...), found '{kind.Text}'");
            }

            if (i + 2 >= tokens.Count || tokens[i + 1].Punctuation || tokens[i + 2].Text != "{" || !tokens[i + 2].Punctuation)
            {
                throw new ImportFormatException($"line {kind.Line}: expected '{kind.Text} NAME {{'");
            }

            var name = tokens[i + 1].Text;
            i += 3;
            var items = new List<ConserverItem>();
            while (true)
            {
                if (i >= tokens.Count)
                {
                    throw new ImportFormatException($"line {kind.Line}: block '{kind.Text} {name}' is not closed with '}}'");
                }

                if (tokens[i].Punctuation && tokens[i].Text == "}")
                {
                    i++;
                    break;
                }

                if (tokens[i].Punctuation)
                {
                    i++; // a stray ';' is an empty item
                    continue;
                }

                var key = tokens[i];
                var values = new List<string>();
                i++;
                while (i < tokens.Count && !(tokens[i].Punctuation && tokens[i].Text is ";" or "}"))
                {
                    if (tokens[i].Punctuation)
                    {
                        throw new ImportFormatException($"line {tokens[i].Line}: unexpected '{tokens[i].Text}' in '{key.Text}'");
                    }

                    values.AddRange(tokens[i].Quoted
                        ? [tokens[i].Text]
                        : tokens[i].Text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    i++;
                }

                if (i < tokens.Count && tokens[i].Text == ";")
                {
                    i++;
                }

                items.Add(new ConserverItem(key.Text.ToLowerInvariant(), values, key.Line));
            }

            blocks.Add(new ConserverBlock(kind.Text.ToLowerInvariant(), name, items, kind.Line));
        }

        return blocks;
    }

    private readonly record struct Token(string Text, int Line, bool Punctuation, bool Quoted);

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var line = 1;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
                i++;
            }
            else if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '#')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (c is '{' or '}' or ';')
            {
                tokens.Add(new Token(c.ToString(), line, true, false));
                i++;
            }
            else if (c == '"')
            {
                var start = line;
                var sb = new StringBuilder();
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] == '"')
                    {
                        sb.Append('"');
                        i += 2;
                        continue;
                    }

                    if (text[i] == '\n')
                    {
                        line++;
                    }

                    sb.Append(text[i++]);
                }

                if (i >= text.Length)
                {
                    throw new ImportFormatException($"line {start}: a string is not closed with '\"'");
                }

                i++;
                tokens.Add(new Token(sb.ToString(), start, false, true));
            }
            else
            {
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('{' or '}' or ';' or '"' or '#'))
                {
                    i++;
                }

                tokens.Add(new Token(text[start..i], line, false, false));
            }
        }

        return tokens;
    }
}
