using System.Globalization;
using Concentrator.Client.Bridges;
using Concentrator.Client.Rfc2217;
using Concentrator.Devices;

namespace Concentrator.Commands;

/// <summary>
/// <c>concentrator bridge DEVICE HOST:PORT [--backend system-io-ports|posix] [--baud N] [--data-bits N]
/// [--parity P] [--stop-bits S] [--flow-control F]</c>: a local serial device bridged to the remote port over
/// RFC 2217 (the com2tcp-rfc2217 replacement). Runs until SIGINT/SIGTERM/SIGHUP, reconnecting with backoff.
/// </summary>
public static class BridgeCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? device = null;
        RemoteEndPoint? remote = null;
        var backend = DeviceBackend.SystemIoPorts;
        var line = LineSettings.Default;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--backend" when value is not null:
                    i++;
                    backend = value switch
                    {
                        "posix" => DeviceBackend.Posix,
                        "system-io-ports" => DeviceBackend.SystemIoPorts,
                        "auto" => DeviceBackend.Auto,
                        _ => (DeviceBackend)(-1),
                    };
                    if (!Enum.IsDefined(backend))
                    {
                        return Usage.Fail($"bridge: --backend expects system-io-ports | posix | auto, not '{value}'");
                    }

                    break;
                case "--baud" when value is not null:
                    i++;
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var baud) || baud <= 0)
                    {
                        return Usage.Fail($"bridge: --baud expects a positive number, not '{value}'");
                    }

                    line = line with { BaudRate = baud };
                    break;
                case "--data-bits" when value is not null:
                    i++;
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var bits) || bits is < 5 or > 8)
                    {
                        return Usage.Fail($"bridge: --data-bits expects 5..8, not '{value}'");
                    }

                    line = line with { DataBits = bits };
                    break;
                case "--parity" when value is not null:
                    i++;
                    if (!Enum.TryParse<Parity>(value, ignoreCase: true, out var parity) || !Enum.IsDefined(parity))
                    {
                        return Usage.Fail($"bridge: --parity expects none | odd | even | mark | space, not '{value}'");
                    }

                    line = line with { Parity = parity };
                    break;
                case "--stop-bits" when value is not null:
                    i++;
                    StopBits? stop = value switch { "1" => StopBits.One, "1.5" => StopBits.OnePointFive, "2" => StopBits.Two, _ => null };
                    if (stop is null)
                    {
                        return Usage.Fail($"bridge: --stop-bits expects 1 | 1.5 | 2, not '{value}'");
                    }

                    line = line with { StopBits = stop.Value };
                    break;
                case "--flow-control" when value is not null:
                    i++;
                    FlowControl? flow = value switch { "none" => FlowControl.None, "xonxoff" => FlowControl.XonXoff, "rtscts" => FlowControl.RtsCts, _ => null };
                    if (flow is null)
                    {
                        return Usage.Fail($"bridge: --flow-control expects none | xonxoff | rtscts, not '{value}'");
                    }

                    line = line with { FlowControl = flow.Value };
                    break;
                default:
                    if (args[i].StartsWith('-'))
                    {
                        return Usage.Fail($"bridge: unexpected argument '{args[i]}'");
                    }

                    if (device is null)
                    {
                        device = args[i];
                    }
                    else if (remote is null && RemoteEndPoint.TryParse(args[i], out var r))
                    {
                        remote = r;
                    }
                    else
                    {
                        return Usage.Fail($"bridge: unexpected argument '{args[i]}'");
                    }

                    break;
            }
        }

        if (device is null || remote is null)
        {
            return Usage.Fail("bridge: expected DEVICE HOST:PORT");
        }

        using var stopSource = new CancellationTokenSource();
        using var signals = ClientSignals.CancelOn(stopSource);
        var bridge = new SerialBridge(device, backend, line, remote, message => Console.Error.WriteLine($"concentrator bridge: {message}"));
        try
        {
            await bridge.RunAsync(stopSource.Token).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is DeviceFaultException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            Console.Error.WriteLine($"concentrator bridge: {device}: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
