using System.Globalization;
using System.Text;

namespace Concentrator.Client.Import;

/// <summary>One port of another console server (ser2net, conserver, ConMan) in concentrator terms, ready to print as HOCON.</summary>
internal sealed class ImportedPort
{
    public required string Name { get; set; }

    public required string Device { get; init; }

    public required int TcpPort { get; init; }

    public string Bind { get; set; } = "0.0.0.0";

    /// <summary>raw | telnet | rfc2217.</summary>
    public string Protocol { get; set; } = "raw";

    /// <summary>ser2net's serial default is 9600 8N1, not concentrator's 115200.</summary>
    public int Baud { get; set; } = 9600;

    public int DataBits { get; set; } = 8;

    public string Parity { get; set; } = "none";

    public string StopBits { get; set; } = "1";

    public string FlowControl { get; set; } = "none";

    public int IdleTimeoutSeconds { get; set; }

    public string? Banner { get; set; }

    /// <summary>ser2net allows one connection per port unless max-connections says otherwise.</summary>
    public int MaxSessions { get; set; } = 1;

    public bool KickOld { get; set; }

    /// <summary>exclusive for consoles whose server gives one attached user the write right (conserver).</summary>
    public string? WritePolicy { get; set; }

    /// <summary>password for listeners whose server authenticated users (conserver, ConMan's clients are trusted).</summary>
    public string? Auth { get; set; }

    /// <summary>The listener's allowed source networks; empty = no filter.</summary>
    public List<string> Allow { get; } = [];

    /// <summary>Whether the port gets an acl (the source named who may use it), even one that grants nobody.</summary>
    public bool HasAcl { get; set; }

    /// <summary>Principals (and @groups) for the port's acl.</summary>
    public List<string> ReadWrite { get; } = [];

    public List<string> ReadOnly { get; } = [];

    /// <summary>The console log file with {port} for the port name.</summary>
    public string? LogFile { get; set; }

    public bool LogTimestamps { get; set; }

    /// <summary>False for ser2net's "off" state / enable: off: printed commented out.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where it came from and notes on options mapped implicitly, printed as comments.</summary>
    public List<string> Comments { get; } = [];

    /// <summary>ser2net's \s / \B form of the serial parameters, e.g. 57600N81.</summary>
    public string SerialParams =>
        string.Create(CultureInfo.InvariantCulture, $"{Baud}{char.ToUpperInvariant(Parity[0])}{DataBits}{StopBits}");

    private string ListenerExtras()
    {
        var extras = new StringBuilder();
        if (Auth is not null)
        {
            extras.Append(", auth = ").Append(Auth);
        }

        if (Allow.Count > 0)
        {
            extras.Append(", allow = ").Append(Hocon.List(Allow));
        }

        return extras.ToString();
    }

    public void WriteHocon(StringBuilder sb)
    {
        var prefix = Enabled ? "    " : "    # ";
        foreach (var c in Comments)
        {
            sb.Append("    # ").AppendLine(c);
        }

        void Line(string text) => sb.Append(prefix).AppendLine(text);
        Line($"{Hocon.Quote(Name)} {{");
        Line($"  device = {Hocon.Quote(Device)}");
        Line(string.Create(CultureInfo.InvariantCulture, $"  baud = {Baud}"));
        Line(string.Create(CultureInfo.InvariantCulture, $"  data-bits = {DataBits}"));
        Line($"  parity = {Parity}");
        Line($"  stop-bits = {StopBits}");
        Line($"  flow-control = {FlowControl}");
        Line("  listeners = [");
        Line(string.Create(CultureInfo.InvariantCulture,
            $"    {{ port = {TcpPort}, protocol = {Protocol}, bind = {Hocon.Quote(Bind)}{ListenerExtras()} }}"));
        Line("  ]");
        if (HasAcl || ReadWrite.Count > 0 || ReadOnly.Count > 0)
        {
            Line($"  acl {{ read-write = {Hocon.List(ReadWrite)}, read-only = {Hocon.List(ReadOnly)} }}");
        }

        if (WritePolicy is not null)
        {
            Line($"  write-policy = {WritePolicy}");
        }

        if (LogFile is not null)
        {
            Line($"  log {{ file = {Hocon.Quote(LogFile)}{(LogTimestamps ? ", timestamps = on" : "")} }}");
        }

        Line(string.Create(CultureInfo.InvariantCulture, $"  idle-timeout = {IdleTimeoutSeconds}s"));
        if (Banner is not null)
        {
            Line($"  banner = {Hocon.Quote(Banner.Trim())}");
        }

        Line(string.Create(CultureInfo.InvariantCulture, $"  max-sessions = {MaxSessions}"));
        Line($"  kick-old = {(KickOld ? "on" : "off")}");
        Line("}");
    }
}

/// <summary>HOCON text helpers.</summary>
internal static class Hocon
{
    /// <summary>A HOCON list of quoted strings.</summary>
    public static string List(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(Quote)) + "]";

    /// <summary>A double-quoted HOCON (JSON) string.</summary>
    public static string Quote(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            _ = c switch
            {
                '"' => sb.Append("\\\""),
                '\\' => sb.Append("\\\\"),
                '\n' => sb.Append("\\n"),
                '\r' => sb.Append("\\r"),
                '\t' => sb.Append("\\t"),
                < ' ' or (char)0x7f => sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => sb.Append(c),
            };
        }

        return sb.Append('"').ToString();
    }
}
