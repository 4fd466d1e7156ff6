using System.Buffers;

namespace Concentrator.Ports.Sharing;

/// <summary>
/// Finds the conserver-style in-band escape (default Ctrl-E then c, then a command letter) in what a telnet user
/// types. Everything else passes through untouched, including a lone first escape byte followed by something
/// else. Resumable across reads. Typing the full escape twice (Ctrl-E c Ctrl-E) sends the first escape byte.
/// </summary>
internal sealed class EscapeSequence(byte first, byte second)
{
    /// <summary>The power command: the key after it is the action (see <c>SessionConsole</c>).</summary>
    public const char PowerLetter = 'p';

    private const int ArgumentState = 3;
    private int _state; // 0: normal, 1: saw first, 2: saw first+second (next byte is the command), 3: saw p (next byte is its action)

    /// <summary>The default: Ctrl-E then 'c'.</summary>
    public static EscapeSequence Default() => new(0x05, (byte)'c');

    /// <summary>Parses "^Ec" style text (a caret letter or a literal character, then one character); null for "off".</summary>
    public static bool TryParse(string text, out EscapeSequence? escape)
    {
        escape = null;
        if (text is "off" or "none" or "")
        {
            return true;
        }

        byte a;
        string rest;
        if (text.Length >= 2 && text[0] == '^')
        {
            var c = char.ToUpperInvariant(text[1]);
            if (c is < '@' or > '_')
            {
                return false;
            }

            a = (byte)(c - '@');
            rest = text[2..];
        }
        else
        {
            a = (byte)text[0];
            rest = text[1..];
        }

        if (rest.Length != 1 || rest[0] > 0x7e)
        {
            return false;
        }

        escape = new EscapeSequence(a, (byte)rest[0]);
        return true;
    }

    /// <summary>Human form, e.g. "Ctrl-E c".</summary>
    public string Describe() => (first < 0x20 ? $"Ctrl-{(char)(first + '@')}" : ((char)first).ToString()) + " " + (char)second;

    /// <summary>
    /// Splits typed bytes into, in order, <c>byte[]</c> runs for the device and <see cref="EscapeCommand"/> items.
    /// </summary>
    public void Scan(ReadOnlySpan<byte> input, List<object> items)
    {
        var run = new ArrayBufferWriter<byte>(input.Length + 1);
        foreach (var b in input)
        {
            switch (_state)
            {
                case 0:
                    if (b == first)
                    {
                        _state = 1;
                    }
                    else
                    {
                        Write(run, b);
                    }

                    break;
                case 1:
                    if (b == second)
                    {
                        _state = 2;
                    }
                    else
                    {
                        Write(run, first);
                        if (b != first)
                        {
                            Write(run, b);
                            _state = 0;
                        }

                        // else: stay in state 1, this byte may start the sequence
                    }

                    break;
                case ArgumentState:
                    _state = 0;
                    Flush(run, items);
                    items.Add(new EscapeCommand(PowerLetter, (char)b));
                    break;
                default:
                    _state = 0;
                    if (b == PowerLetter)
                    {
                        _state = ArgumentState; // power: the next key says which action
                    }
                    else if (b == first)
                    {
                        Write(run, first); // the escape typed twice sends the escape byte itself
                    }
                    else
                    {
                        Flush(run, items);
                        items.Add(new EscapeCommand((char)b));
                    }

                    break;
            }
        }

        Flush(run, items);
    }

    private static void Flush(ArrayBufferWriter<byte> run, List<object> items)
    {
        if (run.WrittenCount > 0)
        {
            items.Add(run.WrittenSpan.ToArray());
            run.ResetWrittenCount();
        }
    }

    private static void Write(IBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }
}

/// <summary>A command letter typed after the escape sequence.</summary>
/// <param name="Letter">The command.</param>
/// <param name="Argument">The key typed after a command that takes one (power: its action), else null.</param>
internal sealed record EscapeCommand(char Letter, char? Argument = null);
