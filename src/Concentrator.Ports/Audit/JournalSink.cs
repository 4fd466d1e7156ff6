using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Concentrator.Ports.Audit;

/// <summary>
/// The audit trail's lines to the systemd journal with structured fields (<c>CONCENTRATOR_ACTION</c>,
/// <c>CONCENTRATOR_PRINCIPAL</c>, ... and the line itself as <c>MESSAGE</c>), over journald's native protocol: one
/// datagram per entry to <c>/run/systemd/journal/socket</c>. Used only when the daemon runs under systemd
/// (<c>JOURNAL_STREAM</c> set, as systemd does for a unit's stdout) and the socket is there; a line the journal does
/// not take (too large for a datagram, journald restarting) is not retried — the file has it.
/// </summary>
public sealed class JournalSink : IDisposable
{
    public const string DefaultSocket = "/run/systemd/journal/socket";

    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _endPoint;

    public JournalSink(string socketPath)
    {
        _endPoint = new UnixDomainSocketEndPoint(socketPath);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    /// <summary>The journal when the daemon runs under systemd and journald listens; else null.</summary>
    public static JournalSink? FromEnvironment(Func<string, string?>? environment = null, string socketPath = DefaultSocket)
    {
        environment ??= Environment.GetEnvironmentVariable;
        return !OperatingSystem.IsWindows() && environment("JOURNAL_STREAM") is { Length: > 0 } && File.Exists(socketPath)
            ? new JournalSink(socketPath) : null;
    }

    /// <summary>One audit line (a JSON object and a newline) as one journal entry.</summary>
    public void Send(byte[] line)
    {
        try
        {
            _socket.SendTo(Entry(line), _endPoint);
        }
        catch (SocketException)
        {
            // journald away or the entry too large for a datagram: the file keeps the line.
        }
    }

    /// <summary>The native protocol's text form: KEY=value lines, every value here on one line.</summary>
    internal static byte[] Entry(byte[] line)
    {
        var text = Encoding.UTF8.GetString(line).TrimEnd('\n');
        var entry = new StringBuilder();
        entry.Append("MESSAGE=").Append(text).Append('\n');
        entry.Append("PRIORITY=6\nSYSLOG_IDENTIFIER=concentrator\n");
        using var doc = JsonDocument.Parse(text);
        foreach (var property in doc.RootElement.EnumerateObject())
        {
            var key = "CONCENTRATOR_" + string.Concat(property.Name.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_'));
            var value = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText();
            entry.Append(key).Append('=').Append(value?.Replace('\n', ' ')).Append('\n');
        }

        return Encoding.UTF8.GetBytes(entry.ToString());
    }

    public void Dispose() => _socket.Dispose();
}
