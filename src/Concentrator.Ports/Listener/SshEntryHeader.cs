using System.Globalization;
using System.Net;

namespace Concentrator.Ports.Listener;

/// <summary>What <c>concentrator ssh-entry</c> asks for.</summary>
public enum SshEntryVerb
{
    /// <summary>Join the named port as a session.</summary>
    Join,

    /// <summary>List the ports the principal may use (one line each), then close.</summary>
    List,

    /// <summary>The terminal of this process's session changed size (SIGWINCH); nothing is answered.</summary>
    Resize,
}

/// <summary>
/// The one line <c>concentrator ssh-entry</c> sends first on the ssh-entry socket, tab-separated:
/// <c>port, SSH_CONNECTION, principal, COLSxROWS, verb</c>; every field after the port may be empty or missing (an
/// older ssh-entry sends only the first two). The principal and the SSH client's address are claims: the daemon
/// believes them only from the console account (see <see cref="SshEntryListenerActor"/>).
/// </summary>
/// <param name="Port">The port to join (empty for <see cref="SshEntryVerb.List"/>).</param>
/// <param name="SshClient">The SSH client's address from SSH_CONNECTION, when it parses.</param>
/// <param name="Principal">The users-file principal named by <c>--principal</c>, when any.</param>
/// <param name="Columns">The terminal's width, 0 when unknown.</param>
/// <param name="Rows">The terminal's height, 0 when unknown.</param>
/// <param name="Verb">Join the port, or list the ports.</param>
public sealed record SshEntryHeader(string Port, IPEndPoint? SshClient, string? Principal, int Columns, int Rows, SshEntryVerb Verb)
{
    /// <summary>The line for these fields (what <see cref="Parse"/> reads), newline included.</summary>
    public static string Format(string port, string? sshConnection, string? principal, int columns, int rows, SshEntryVerb verb) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{port}\t{sshConnection}\t{principal}\t{(columns > 0 && rows > 0 ? $"{columns}x{rows}" : "")}\t{verb.ToString().ToLowerInvariant()}\n");

    public static SshEntryHeader Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var fields = line.TrimEnd('\r').Split('\t');
        string Field(int i) => fields.Length > i ? fields[i].Trim() : "";
        var (columns, rows) = ParseSize(Field(3));
        return new SshEntryHeader(Field(0), ParseSshClient(Field(1)), Field(2) is { Length: > 0 } p ? p : null, columns, rows,
            Field(4) switch { "list" => SshEntryVerb.List, "resize" => SshEntryVerb.Resize, _ => SshEntryVerb.Join });
    }

    /// <summary>SSH_CONNECTION is "client-address client-port server-address server-port": the client's part.</summary>
    public static IPEndPoint? ParseSshClient(string sshConnection)
    {
        ArgumentNullException.ThrowIfNull(sshConnection);
        var parts = sshConnection.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && IPAddress.TryParse(parts[0], out var address) &&
               int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? new IPEndPoint(address, port)
            : null;
    }

    private static (int Columns, int Rows) ParseSize(string size)
    {
        var parts = size.Split('x');
        return parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var c) &&
               int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var r) && c is > 0 and <= 10_000 && r is > 0 and <= 10_000
            ? (c, r)
            : (0, 0);
    }
}
