using Concentrator.Client.Import;
using System.Globalization;
using System.Text;
using Concentrator.Devices;

namespace Concentrator.Client.Ser2net;

/// <summary>ser2net's per-port options and banner escapes, in its classic spelling (also used for 4.x connector options).</summary>
public static partial class Ser2netImporter
{
    /// <summary>
    /// Applies one serial/port option in ser2net's classic spelling (also used for 4.x connector options).
    /// Returns false with the reason when concentrator has no equivalent.
    /// </summary>
    internal static bool ApplyOption(string token, ImportedPort port, out string problem)
    {
        problem = "";
        if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var baud) && baud > 0)
        {
            port.Baud = baud;
            return true;
        }

        var m = SerialParamsPattern().Match(token);
        if (m.Success)
        {
            port.Baud = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            port.Parity = ParityName(m.Groups[2].Value[0]);
            port.DataBits = m.Groups[3].Value[0] - '0';
            port.StopBits = m.Groups[4].Value;
            return true;
        }

        var eq = token.IndexOf('=', StringComparison.Ordinal);
        var key = (eq < 0 ? token : token[..eq]).ToUpperInvariant().Replace('_', '-');
        var value = eq < 0 ? null : token[(eq + 1)..];
        switch (key)
        {
            case "5DATABITS" or "6DATABITS" or "7DATABITS" or "8DATABITS":
                port.DataBits = key[0] - '0';
                return true;
            case "NONE" or "EVEN" or "ODD" or "MARK" or "SPACE":
                port.Parity = LineWords.Of(LineWords.Parse(LineWords.Parities, key)!.Value);
                return true;
            case "1STOPBIT":
                port.StopBits = LineWords.Of(StopBits.One);
                return true;
            case "2STOPBITS":
                port.StopBits = LineWords.Of(StopBits.Two);
                return true;
            case "XONXOFF":
                port.FlowControl = LineWords.Of(FlowControl.XonXoff);
                return true;
            case "RTSCTS":
                port.FlowControl = LineWords.Of(FlowControl.RtsCts);
                return true;
            case "-XONXOFF" or "-RTSCTS":
                if (port.FlowControl == LineWords.Of(key == "-XONXOFF" ? FlowControl.XonXoff : FlowControl.RtsCts))
                {
                    port.FlowControl = LineWords.Of(FlowControl.None);
                }

                return true;
            case "LOCAL":
                port.Comments.Add($"'{token}': concentrator always ignores the modem control lines (CLOCAL), as LOCAL asks");
                return true;
            case "-LOCAL":
                problem = "concentrator always ignores carrier detect (CLOCAL); it cannot wait for or hang up on the modem lines";
                return false;
            case "HANGUP-WHEN-DONE":
                problem = "no equivalent: concentrator keeps the device open and DTR as is when the last session closes";
                return false;
            case "-HANGUP-WHEN-DONE" or "-NOBREAK" or "-KICKOLDUSER" or "-TIMESTAMP" or "-HEXDUMP" or "-CHARDELAY" or "-TELNET-BRK-ON-SYNC":
                if (key == "-KICKOLDUSER")
                {
                    port.KickOld = false;
                }

                port.Comments.Add($"'{token}': the concentrator default already");
                return true;
            case "NOBREAK":
                problem = "no equivalent: concentrator does not clear a break condition on open";
                return false;
            case "KICKOLDUSER":
                port.KickOld = true;
                return true;
            case "MAX-CONNECTIONS":
                if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var max) && max >= 1)
                {
                    port.MaxSessions = max;
                    return true;
                }

                problem = "expected max-connections=N with N >= 1";
                return false;
            case "TR" or "TW" or "TB":
                problem = "trace files are not supported (concentrator's 'log { file = ... }' logs device output in its own format)";
                return false;
            case "TIMESTAMP" or "HEXDUMP":
                problem = "trace file formatting is not supported";
                return false;
            case "CHARDELAY" or "CHARDELAY-SCALE" or "CHARDELAY-MIN" or "CHARDELAY-MAX":
                problem = "character delay batching is not supported (concentrator forwards device output as it arrives)";
                return false;
            case "TELNET-BRK-ON-SYNC":
                problem = "not supported: a telnet SYNC does not send a break";
                return false;
            case "REMCTL":
                port.Comments.Add("'remctl': RFC 2217 remote control");
                return true;
            default:
                problem = key switch
                {
                    "OPENSTR" or "CLOSESTR" or "CLOSEON" or "SIGNATURE" or "REMADDR" or "LED-RX" or "LED-TX" or "RS485" or "DTR" or "RTS" or "WRONLY" or "NOCON"
                        => "not supported by concentrator; ignored",
                    _ => "unknown option (not a ser2net option concentrator knows, nor a defined BANNER); ignored",
                };
                return false;
        }
    }

    /// <summary>The daemon trims a banner and ends it with CR LF itself; say so when that changes the text.</summary>
    internal static void NoteBannerTrim(ImportedPort port)
    {
        if (port.Banner is { } b && b.Trim() != b)
        {
            port.Comments.Add("banner: leading/trailing blank lines dropped (concentrator ends the banner with CR LF itself)");
        }
    }

    private static string ParityName(char c) => LineWords.Of(LineWords.ParityOfLetter(c) ?? Parity.None);

    /// <summary>
    /// Expands ser2net's string escapes that are fixed per port (\r \n \t \xHH \nnn \d \p \s \B \o); per-connection
    /// ones (time, remote address) cannot be computed in advance: they are kept literally and reported.
    /// </summary>
    internal static string ExpandEscapes(string text, ImportedPort port, Action<string> warn)
    {
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '\\' || i + 1 >= text.Length)
            {
                sb.Append(c);
                continue;
            }

            var e = text[++i];
            switch (e)
            {
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case '\\' or '?' or '\'' or '"': sb.Append(e); break;
                case 'd': sb.Append(port.Device); break;
                case 'p': sb.Append(port.TcpPort.ToString(CultureInfo.InvariantCulture)); break;
                case 's' or 'B': sb.Append(port.SerialParams); break;
                case 'o': sb.Append(port.Name); break;
                case 'x' when i + 2 < text.Length + 1 && i + 1 < text.Length && Uri.IsHexDigit(text[i + 1]):
                {
                    var len = i + 2 < text.Length && Uri.IsHexDigit(text[i + 2]) ? 2 : 1;
                    sb.Append((char)System.Convert.ToInt32(text.Substring(i + 1, len), 16));
                    i += len;
                    break;
                }

                case >= '0' and <= '7':
                {
                    var len = 1;
                    while (len < 3 && i + len < text.Length && text[i + len] is >= '0' and <= '7')
                    {
                        len++;
                    }

                    sb.Append((char)System.Convert.ToInt32(text.Substring(i, len), 8));
                    i += len - 1;
                    break;
                }

                default:
                    warn($"escape '\\{e}' is per connection (time, remote address) and cannot be expanded in a static banner; kept literally");
                    sb.Append('\\').Append(e);
                    break;
            }
        }

        return sb.ToString();
    }
}
