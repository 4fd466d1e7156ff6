using System.Globalization;

namespace Concentrator.Devices;

/// <summary>What a port's <c>device</c> names: a local node, a simulated device, an upstream server, or a program.</summary>
public enum DeviceKind
{
    /// <summary>A device node (/dev/ttyUSB0, /dev/serial/by-id/...).</summary>
    Local,
    /// <summary>sim:echo, sim:demo.</summary>
    Simulated,
    /// <summary>tcp://host:port: raw bytes to and from a TCP server.</summary>
    Tcp,
    /// <summary>telnet://host:port: a telnet server (binary, no COM-PORT-OPTION).</summary>
    Telnet,
    /// <summary>rfc2217://host:port: a telnet server with COM-PORT-OPTION, driven as a serial port.</summary>
    Rfc2217,
    /// <summary>exec:ARGV: a program run on a pty (no shell).</summary>
    Exec,
}

/// <summary>A port's <c>device</c> value, parsed. Pure: nothing is opened or resolved.</summary>
public sealed record DeviceAddress(DeviceKind Kind, string Text, string Host = "", int Port = 0, IReadOnlyList<string>? Argv = null)
{
    public const string ExecPrefix = "exec:";

    private static readonly (string Scheme, DeviceKind Kind)[] Schemes =
        [("tcp://", DeviceKind.Tcp), ("telnet://", DeviceKind.Telnet), ("rfc2217://", DeviceKind.Rfc2217)];

    /// <summary>The program and its arguments of an exec: device (empty for other kinds).</summary>
    public IReadOnlyList<string> Arguments => Argv ?? [];

    /// <summary>True for the kinds reached over the network.</summary>
    public bool IsNetwork => Kind is DeviceKind.Tcp or DeviceKind.Telnet or DeviceKind.Rfc2217;

    /// <summary>True when <paramref name="device"/> names a file-system node (not sim:, not an upstream, not exec:).</summary>
    public static bool IsNode(string device) =>
        device is not null && TryParse(device, out var address, out _) && address.Kind == DeviceKind.Local;

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says what is wrong (without the value).</summary>
    public static bool TryParse(string text, out DeviceAddress address, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        address = new DeviceAddress(DeviceKind.Local, text);
        error = null;
        if (text.StartsWith(ExecPrefix, StringComparison.Ordinal))
        {
            if (!CommandWords.TrySplit(text[ExecPrefix.Length..], out var argv, out error))
            {
                return false;
            }

            address = new DeviceAddress(DeviceKind.Exec, text, Argv: argv);
            return true;
        }

        if (text.StartsWith("sim:", StringComparison.Ordinal))
        {
            address = new DeviceAddress(DeviceKind.Simulated, text);
            return true;
        }

        foreach (var (scheme, kind) in Schemes)
        {
            if (text.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                if (!TryHostPort(text[scheme.Length..], out var host, out var port, out error))
                {
                    return false;
                }

                address = new DeviceAddress(kind, text, host, port);
                return true;
            }
        }

        if (text.Contains("://", StringComparison.Ordinal))
        {
            error = "unknown device kind (expected a device path, sim:, tcp://, telnet://, rfc2217:// or exec:)";
            return false;
        }

        return true;
    }

    /// <summary>host:port or [v6]:port, nothing after the port.</summary>
    private static bool TryHostPort(string text, out string host, out int port, out string? error)
    {
        host = "";
        port = 0;
        error = null;
        var colon = text.LastIndexOf(':');
        if (colon <= 0)
        {
            error = "expected host:port after the scheme";
            return false;
        }

        host = text[..colon];
        if (host.StartsWith('['))
        {
            if (!host.EndsWith(']') || host.Length < 3)
            {
                error = "an IPv6 host is written [address]:port";
                return false;
            }

            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal) || host.Contains('/', StringComparison.Ordinal) || host.Contains('@', StringComparison.Ordinal))
        {
            error = "expected host:port after the scheme (an IPv6 host in brackets, no path, no user)";
            return false;
        }

        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            error = "the port must be a number from 1 to 65535";
            return false;
        }

        if (host.Any(char.IsWhiteSpace))
        {
            error = "the host has white space in it";
            return false;
        }

        return true;
    }

    public override string ToString() => Text;
}
